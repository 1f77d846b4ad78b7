// Why str_ww's int8 file grows by 1072 B with bias correction (83184 B vs 82112 B, default
// layout): its 128-channel depthwise layers depthwise_conv2d_1..3 have all-zero biases, which
// without correction are byte-identical and stored once (share-constants.ts); corrected, each
// holds its own shift, so two more 128 × int32 buffers are written (2 × 512 B of values plus the
// flatbuffer's bytes per buffer). No other tensor changes size. The shifts are small (mean 0.016,
// max 0.11 of an output step): measured 2026-12-03 with the debugger's per-layer SQNR, undoing
// them costs 1.7 dB at the logits on the 45 fixture samples, which are also the calibration
// data; calibrated on 30 of them instead, undoing them changes no layer by more than 0.1 dB on
// the other 15. So they are kept (no threshold drops a correction). Needs ../shared (skips without).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import { mainGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { shareIdenticalConstants } from '../../src-main/quantize/transformations/share-constants';
import { fixture, hasFixtures } from './helpers';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'bias-correction-size');
const STR_WW = (...parts: string[]): string => fixture('mlperf-tiny', 'str_ww', ...parts);

test('str_ww int8: bias correction adds exactly the unshared zero biases of three depthwise layers, the only growth', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async (t) => {
  mkdirSync(OUT, { recursive: true });
  const files: Record<'plain' | 'corrected', Uint8Array> = { plain: new Uint8Array(), corrected: new Uint8Array() };
  const calibration = { path: STR_WW('calibration_samples.npz'), samples: 100, method: 'minmax', seed: 0 } as const;
  for (const [key, quantize] of [
    ['plain', { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: false, biasCorrection: false, calibration }],
    ['corrected', { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: false, biasCorrection: true, calibration }],
  ] as const) {
    const output = join(OUT, `str_ww_${key}.tflite`);
    await convertModel({ model: STR_WW('str_ww_ref_model.h5'), output, quantize });
    files[key] = new Uint8Array(readFileSync(output));
  }
  const plain = mainGraph(readTflite(files.plain));
  const corrected = mainGraph(readTflite(files.corrected));
  // Only biases change: same tensors, and every constant that differs is an int32 bias.
  assert.deepEqual([...corrected.tensors.keys()].sort(), [...plain.tensors.keys()].sort());
  const biases = new Set(corrected.nodes.map((n) => n.inputs[2]).filter((name): name is string => typeof name === 'string'));
  const changed = [...corrected.tensors.values()].filter((c) => c.data && Buffer.compare(Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength), Buffer.from(plain.tensors.get(c.name)!.data!.buffer, plain.tensors.get(c.name)!.data!.byteOffset, plain.tensors.get(c.name)!.data!.byteLength)) !== 0);
  for (const c of changed) assert.ok(biases.has(c.name) && c.dtype === 'int32', `${c.name} changed`);
  // The zero biases of depthwise_conv2d_1..3: all zero without correction, so stored once.
  const zeroBiases = [1, 2, 3].map((k) => `model/depthwise_conv2d_${k}/BiasAdd/ReadVariableOp/resource`);
  for (const name of zeroBiases) assert.ok((plain.tensors.get(name)!.data as Int32Array).every((v) => v === 0), `${name} is all zero without correction`);
  // The growth is exactly their un-sharing. Read back, every tensor has its own array again:
  // written so, the plain file has the corrected file's size; shared again, the three zero biases
  // are the only constants that find a twin, and the plain file's size comes back.
  const unsharedBytes = writeTflite(readTflite(files.plain)).length;
  const reshared = readTflite(files.plain);
  const rg = mainGraph(reshared);
  assert.equal(shareIdenticalConstants(rg), 2);
  assert.ok(zeroBiases.every((name) => rg.tensors.get(name)!.data === rg.tensors.get(zeroBiases[0]!)!.data), 'the three zero biases share one array');
  assert.equal(writeTflite(reshared).length, files.plain.length);
  assert.equal(shareIdenticalConstants(mainGraph(readTflite(files.corrected))), 0, 'nothing to share once corrected');
  t.diagnostic(`plain ${files.plain.length} B, corrected ${files.corrected.length} B (+${files.corrected.length - files.plain.length}), plain with the three zero biases stored apart ${unsharedBytes} B`);
  assert.ok(files.corrected.length > files.plain.length);
  assert.equal(unsharedBytes, files.corrected.length);
  // The shifts themselves, in steps of each layer's output grid: small but not zero.
  for (const name of zeroBiases) {
    const node = corrected.nodes.find((n) => n.inputs[2] === name)!;
    const bias = corrected.tensors.get(name)!;
    const outScale = corrected.tensors.get(node.outputs[0]!)!.quant!.scale[0]!;
    const steps = Array.from(bias.data as Int32Array, (v, c) => Math.abs(v * bias.quant!.scale[bias.quant!.scale.length > 1 ? c : 0]!) / outScale);
    const max = Math.max(...steps);
    t.diagnostic(`${node.name}: bias shift mean ${(steps.reduce((a, b) => a + b, 0) / steps.length).toFixed(3)}, max ${max.toFixed(3)} output steps`);
    assert.ok(max > 0 && max < 0.5, `${node.name}: largest shift ${max} steps`);
  }
});
