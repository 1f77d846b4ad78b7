// Recurrent models. The seed's text model Input(100,512) → LSTM(128) → Dense(10, softmax) is
// built and saved by this test with TF.js, converted (UNIDIRECTIONAL_SEQUENCE_LSTM with 24
// inputs and variable state, as the official converter writes it) and compared in
// tflite-node. The TF.js e2e GRU model (Embedding → GRU(go_backwards, hard_sigmoid)) is
// checked against its published golden output. `convert --unroll-rnn` (and a layer's own
// unroll=True) lowers LSTMs per time step: no variable tensors, so LiteRT.js runs the file.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { mainGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { getRuntime } from '../../src-main/runtime/index';
import { cli } from '../helpers/cli';
import { parseConvertArgs } from '../../src-main/cli/commands/convert';
import { jobParamSchemas } from '../../src-main/api/schemas';
import { loadTfjsLayers, randomSamples, runTfjs, tfjs } from '../keras/tfjs-reference';
import { convertModel } from '../../src-main/convert/pipeline';
import { convertTo, fixture, float, hasFixtures, runTflite, sqnrDb, tempDir, top1Agreement } from './helpers';

/** Saves a tfjs LayersModel as model.json + weights.bin in `dir`. */
async function saveLayersModel(model: tfTypes.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save({
    save: async (artifacts) => {
      const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: manifest, format: 'layers-model' }));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return join(dir, 'model.json');
}

test('seed text model (LSTM 128 over 100×512) converts to UNIDIRECTIONAL_SEQUENCE_LSTM and matches TF.js', async () => {
  const tf = await tfjs();
  const input = tf.input({ shape: [100, 512] });
  const lstm = tf.layers.lstm({ units: 128, recurrentActivation: 'sigmoid', name: 'lstm' }).apply(input) as tfTypes.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense' }).apply(lstm) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'text_model' });
  const dir = tempDir();
  const path = await saveLayersModel(model, join(dir, 'saved'));
  const result = await convertTo(dir, path);
  assert.deepEqual(result.opHistogram, { FULLY_CONNECTED: 1, SOFTMAX: 1, STRIDED_SLICE: 1, UNIDIRECTIONAL_SEQUENCE_LSTM: 1 });
  const bytes = new Uint8Array(readFileSync(result.output));
  const graph = mainGraph(readTflite(bytes, { fileName: 'out.tflite' }));
  const node = graph.nodes.find((n) => n.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM')!;
  assert.equal(node.inputs.length, 24);
  assert.deepEqual(graph.tensors.get(node.inputs[1]!)!.shape, [128, 512], 'input-to-input weights per gate');
  assert.deepEqual(graph.tensors.get(node.inputs[5]!)!.shape, [128, 128], 'recurrent-to-input weights per gate');
  assert.equal(node.inputs[9], null, 'no peephole');
  assert.ok(graph.tensors.get(node.inputs[18]!)!.isVariable && graph.tensors.get(node.inputs[19]!)!.isVariable, 'state tensors are variables');
  const samples = randomSamples(6, 100 * 512, 5, -1, 1);
  const ref = await runTfjs(model, samples, [1, 100, 512]);
  const got = await runTflite(bytes, samples, 'tflite-node');
  const sqnr = sqnrDb(ref, got);
  console.log(`# seed LSTM: ${result.bytes} B, SQNR vs TF.js ${sqnr.toFixed(1)} dB (tflite-node, state reset per sample)`);
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB < 60`);
  assert.equal(top1Agreement(ref, got), 1);
});

test('TF.js e2e GRU (Embedding, go_backwards, hard_sigmoid) matches its golden output', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
  const path = fixture('tfjs', 'tfjs_e2e', 'gru_layers_model', 'model.json');
  const result = await convertTo(tempDir(), path);
  assert.ok(result.opHistogram['GATHER'] === 1, 'Embedding becomes GATHER');
  const tokens = [86, 11, 62, 40, 36, 75, 82, 94, 67, 75];
  const golden = [-0.003578941, 0.002892204, -0.002957976, 0.009554024];
  const bytes = new Uint8Array(readFileSync(result.output));
  const loaded = await getRuntime('litert-js').load(bytes);
  const [out] = await loaded.run([Float32Array.from(tokens)]);
  loaded.dispose();
  const got = Float32Array.from(out as Float32Array);
  const sqnr = sqnrDb([Float32Array.from(golden)], [got]);
  console.log(`# gru e2e: ${JSON.stringify(result.opHistogram)} SQNR vs golden ${sqnr.toFixed(1)} dB`);
  assert.ok(sqnr >= 60, `SQNR vs golden ${sqnr.toFixed(1)} dB`);
  const ref = await runTfjs(await loadTfjsLayers(path), [Float32Array.from(tokens)], [1, 10]);
  assert.ok(sqnrDb(ref, [got]) >= 60);
});

/** Stacked LSTMs over every unrolled path: Bidirectional with sequences, go_backwards (sigmoid gates: fusable). */
async function recurrentStack(): Promise<tfTypes.LayersModel> {
  const tf = await tfjs();
  const input = tf.input({ shape: [12, 8] });
  const lstm = (args: { units: number; name?: string; returnSequences?: boolean; goBackwards?: boolean }): tfTypes.RNN =>
    tf.layers.lstm({ recurrentActivation: 'sigmoid', ...args }) as tfTypes.RNN;
  const seq = tf.layers.bidirectional({ layer: lstm({ units: 16, returnSequences: true }), name: 'bi' }).apply(input) as tfTypes.SymbolicTensor;
  const last = lstm({ units: 8, goBackwards: true, name: 'back' }).apply(seq) as tfTypes.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense' }).apply(last) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'stack' });
}

test('convert --unroll-rnn writes LSTMs as per-step ops without variable tensors; LiteRT.js runs the file like TF.js', async (t) => {
  const dir = tempDir();
  const model = await recurrentStack();
  const path = await saveLayersModel(model, join(dir, 'saved'));
  const help = await cli(['convert', '--help']);
  assert.match(help.out + help.err, /--unroll-rnn/);
  // The app's convert jobs carry the same request: the payload schema accepts the field.
  const { request } = parseConvertArgs([path, '-o', join(dir, 'x.tflite'), '--unroll-rnn'], dir);
  assert.equal(jobParamSchemas.convert.parse(request).unrollRnn, true);
  const fused = await cli(['convert', path, '-o', join(dir, 'fused.tflite'), '--json']);
  assert.equal(fused.code, 0, fused.err);
  assert.equal((JSON.parse(fused.out) as { opHistogram: Record<string, number> }).opHistogram['UNIDIRECTIONAL_SEQUENCE_LSTM'], 3, 'without the flag: fused LSTMs');
  const r = await cli(['convert', path, '-o', join(dir, 'unrolled.tflite'), '--unroll-rnn', '--json']);
  assert.equal(r.code, 0, r.err);
  const ops = (JSON.parse(r.out) as { opHistogram: Record<string, number> }).opHistogram;
  assert.equal(ops['UNIDIRECTIONAL_SEQUENCE_LSTM'], undefined);
  assert.equal(ops['SPLIT_V'], 3 * 12, 'one gate split per step, per LSTM (two in the Bidirectional, one after it)');
  const bytes = new Uint8Array(readFileSync(join(dir, 'unrolled.tflite')));
  const variables = [...mainGraph(readTflite(bytes)).tensors.values()].filter((x) => x.isVariable);
  assert.deepEqual(variables, [], 'no variable tensors');
  const samples = randomSamples(8, 12 * 8, 11, -2, 2);
  const ref = await runTfjs(model, samples, [1, 12, 8]);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const got = await runTflite(bytes, samples, runtime);
    const sqnr = sqnrDb(ref, got);
    t.diagnostic(`unrolled Bidirectional LSTM + go_backwards LSTM (${runtime}): ${JSON.stringify(ops)}, SQNR vs TF.js ${sqnr.toFixed(1)} dB`);
    assert.ok(sqnr >= 60, `${runtime}: SQNR ${sqnr.toFixed(1)} dB < 60`);
  }
  // A .tflite source is already lowered: the flag is reported as not applying, the graph is kept.
  const again = await cli(['convert', join(dir, 'unrolled.tflite'), '-o', join(dir, 'again.tflite'), '--unroll-rnn']);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /warning: --unroll-rnn applies to Keras and TF.js layers models; this tflite graph is converted as it is/);
  const rewritten = await runTflite(new Uint8Array(readFileSync(join(dir, 'again.tflite'))), samples, 'litert-js');
  assert.ok(sqnrDb(ref, rewritten) >= 60);
});

test("a layer's own unroll=True is honoured without the flag", async () => {
  const dir = tempDir();
  const model = await recurrentStack();
  const path = await saveLayersModel(model, join(dir, 'saved'));
  // TF.js ignores unroll (it only warns), so the reference runs the same model without it and
  // the saved config gets unroll=True as Keras writes it.
  const json = readFileSync(path, 'utf8');
  writeFileSync(path, json.replaceAll('"unroll":false', '"unroll":true'));
  assert.equal(readFileSync(path, 'utf8').split('"unroll":true').length - 1, 2, 'both LSTM configs say unroll=True');
  const result = await convertTo(dir, path);
  assert.equal(result.opHistogram['UNIDIRECTIONAL_SEQUENCE_LSTM'], undefined);
  const bytes = new Uint8Array(readFileSync(result.output));
  const samples = randomSamples(4, 12 * 8, 12, -2, 2);
  assert.ok(sqnrDb(await runTfjs(model, samples, [1, 12, 8]), await runTflite(bytes, samples, 'litert-js')) >= 60);
});

test('hard_sigmoid LSTM (TF.js default, never fused) unrolled with go_backwards and sequences matches TF.js in LiteRT.js', async () => {
  const tf = await tfjs();
  const input = tf.input({ shape: [9, 5] });
  const seq = tf.layers.lstm({ units: 7, returnSequences: true, goBackwards: true, name: 'hard' }).apply(input) as tfTypes.SymbolicTensor;
  const out = tf.layers.globalAveragePooling1d({}).apply(seq) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const dir = tempDir();
  const result = await convertTo(dir, await saveLayersModel(model, join(dir, 'saved')));
  assert.equal(result.opHistogram['SPLIT_V'], 9, 'the three hard_sigmoid gates share one activation per step');
  const samples = randomSamples(6, 9 * 5, 13, -2, 2);
  const sqnr = sqnrDb(await runTfjs(model, samples, [1, 9, 5]), await runTflite(new Uint8Array(readFileSync(result.output)), samples, 'litert-js'));
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB`);
});

test('the stacked Keras LSTM fixture with --unroll-rnn runs in LiteRT.js like the fused file in tflite-node', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async (t) => {
  const dir = tempDir();
  const model = fixture('keras-json', 'lstm', 'model.json');
  const companions = [fixture('keras-json', 'lstm', 'weights.h5')];
  const fused = await convertModel(float(model, join(dir, 'fused.tflite'), { companions }));
  const unrolled = await convertModel(float(model, join(dir, 'unrolled.tflite'), { companions, unrollRnn: true }));
  const samples = randomSamples(6, 40 * 41, 17, 0, 1);
  const ref = await runTflite(new Uint8Array(readFileSync(fused.output)), samples, 'tflite-node');
  const got = await runTflite(new Uint8Array(readFileSync(unrolled.output)), samples, 'litert-js');
  const sqnr = sqnrDb(ref, got);
  t.diagnostic(`keras-json lstm: fused ${JSON.stringify(fused.opHistogram)} ${fused.bytes} B; unrolled ${Object.values(unrolled.opHistogram).reduce((a, n) => a + n, 0)} ops ${unrolled.bytes} B; SQNR ${sqnr.toFixed(1)} dB, top-1 ${top1Agreement(ref, got)}`);
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB`);
  assert.equal(top1Agreement(ref, got), 1);
});
