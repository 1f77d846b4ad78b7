// The cost of int8 gptq's statistics (H of every conv / depthwise / FC layer) in calibration's tap,
// on MobileNetV2 (nsfwjs TF.js model, 224×224×3), 100 images decoded beforehand: CPU ms per
// sample of float forwards that tap the layer inputs and sum H (`TapGram`, as calibration's pass
// does, finish included) minus the same forwards tapping them with nothing summed; depthwise and
// conv / FC layers apart. CPU time, one thread: the machine is shared, so the minimum of two rounds.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { openModel } from '../src-main/formats/registry';
import { runFloatPasses } from '../src-main/graph/passes/index';
import { createExecutor } from '../src-main/graph/execute';
import { mainGraph } from '../src-main/graph/model-graph';
import { initTfjs } from '../src-main/graph/tfjs-backend';
import { inputSpecs, openDataset } from '../src-main/quantize/calibration/index';
import { compensableLayer, type CompensableLayer } from '../src-main/quantize/rounding/layer-inputs';
import { TapGram } from '../src-main/quantize/rounding/tap-gram';

const fixtures = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
const modelPath = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
if (!existsSync(modelPath)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}

const model = await openModel({ path: modelPath });
runFloatPasses(model);
const graph = mainGraph(model);
const tf = await initTfjs();
const executor = await createExecutor(graph);
const layers = graph.nodes.flatMap((node) => {
  const layer = compensableLayer(graph, node);
  return typeof layer === 'string' ? [] : [layer];
});

// 100 samples: the fixture photos cycled (decoded and preprocessed once, outside the timings).
const photoDir = join(fixtures, 'images', 'litert_224');
const photoCount = readdirSync(photoDir).filter((f) => /\.(png|jpe?g)$/i.test(f)).length;
const dataset = await openDataset(photoDir, inputSpecs(graph), { preprocess: '0..1', samples: photoCount });
const photos: Float32Array[] = [];
for await (const sample of dataset.samples()) photos.push(sample.inputs[0]!);
await dataset.close();
const inputs = Array.from({ length: 100 }, (_, i) => photos[i % photos.length]!);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms of 100 tapped forwards, with `gram` summing (and finishing) or with nothing summed. */
async function pass(tapped: CompensableLayer[], sum: boolean): Promise<number> {
  const gram = new TapGram(tf, tapped);
  const take = sum ? (name: string, value: Parameters<TapGram['take']>[1]) => gram.take(name, value) : () => undefined;
  const start = cpuMs();
  try {
    for (const x of inputs) await executor.run([x], { tap: { names: gram.names, take } });
    if (sum) gram.finish();
    return cpuMs() - start;
  } finally {
    gram.dispose();
  }
}

const groups = { depthwise: layers.filter((l) => l.groups > 1), convFc: layers.filter((l) => l.groups === 1), all: layers };
const record: Record<string, number | string> = { name: 'gptq-statistics-mobilenetv2', samples: inputs.length, layers: layers.length, load1: Number(loadavg()[0]!.toFixed(1)) };
await pass(layers, true); // warm-up: XNNPACK operators, JIT
for (const [label, tapped] of Object.entries(groups)) {
  let best = Infinity;
  let forwards = Infinity;
  for (let round = 0; round < 2; round++) {
    const plain = await pass(tapped, false);
    const summed = await pass(tapped, true);
    best = Math.min(best, summed - plain);
    forwards = Math.min(forwards, plain);
  }
  record[`${label}Ms`] = Math.round(best);
  if (label === 'all') record.forwardsMs = Math.round(forwards);
}
console.log(
  `MobileNetV2 gptq statistics over ${inputs.length} samples (CPU, min of 2 rounds, load ${record.load1}): ` +
    `depthwise ${record.depthwiseMs} ms, conv / FC ${record.convFcMs} ms, all ${layers.length} layers ${record.allMs} ms ` +
    `(the tapped forwards alone: ${record.forwardsMs} ms)`,
);
console.log(`BENCH ${JSON.stringify(record)}`);
