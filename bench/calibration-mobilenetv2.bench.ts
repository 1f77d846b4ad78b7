// Calibration cost on MobileNetV2 (nsfwjs TF.js layers model, 224x224x3) with 100 images:
//  - target: min/max calibration (decode + preprocess + forward + observe every tensor) takes
//    ≤ 2x the time of 100 plain float forward passes in the same process;
//  - memory does not grow with the number of samples (RSS after 100 ≈ RSS after 20);
//  - percentile and MSE range search cost, for the record.
// Images: the 36 fixture photos cycled to 100 file names.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { openModel } from '../src-main/formats/registry';
import { runFloatPasses } from '../src-main/graph/passes/index';
import { createExecutor } from '../src-main/graph/execute';
import { mainGraph } from '../src-main/graph/model-graph';
import { collectStatistics, inputSpecs, openDataset } from '../src-main/quantize/calibration/index';
import { defaultWorkerCount } from '../src-main/compute/workers';
import { computeBackend } from '../src-main/graph/tfjs-backend';
import { availableParallelism } from 'node:os';

const fixtures = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
const modelPath = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
if (!existsSync(modelPath)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const images = join(tmpdir(), `edgequant-calib-bench-${process.pid}`);
mkdirSync(images, { recursive: true });
const photos = ['photos', 'coral', 'litert_224'].flatMap((d) =>
  readdirSync(join(fixtures, 'images', d)).filter((f) => /\.(png|jpe?g|bmp)$/i.test(f)).map((f) => join(fixtures, 'images', d, f)),
);
for (let i = 0; i < 100; i++) symlinkSync(photos[i % photos.length]!, join(images, `img${String(i).padStart(3, '0')}${extname(photos[i % photos.length]!)}`));

try {
  const model = await openModel({ path: modelPath });
  runFloatPasses(model);
  const graph = mainGraph(model);
  const specs = inputSpecs(graph);

  // Baseline: 100 plain forward passes on already-decoded inputs.
  const ds0 = await openDataset(images, specs, { preprocess: '0..1', samples: 100 });
  const decoded: Float32Array[][] = [];
  for await (const s of ds0.samples()) if (decoded.length < 10) decoded.push(s.inputs);
  const executor = await createExecutor(graph);
  await executor.run(decoded[0]!); // warm-up (kernel compilation, constant upload)
  let t0 = performance.now();
  for (let i = 0; i < 100; i++) await executor.run(decoded[i % decoded.length]!);
  const forwardMs = performance.now() - t0;
  executor.dispose();

  const record: Record<string, number | string | boolean> = { name: 'calibration-mobilenetv2', forward100Ms: Math.round(forwardMs) };
  let rssAt20 = 0;
  let rssAt100 = 0;
  for (const method of ['minmax', 'percentile', 'mse'] as const) {
    const ds = await openDataset(images, specs, { preprocess: '0..1', samples: 100, seed: 0 });
    t0 = performance.now();
    const stats = await collectStatistics(graph, ds, {
      method,
      onProgress: (done) => {
        if (method !== 'minmax') return;
        if (done === 20) rssAt20 = process.memoryUsage().rss / 2 ** 20;
        if (done === 100) rssAt100 = process.memoryUsage().rss / 2 ** 20;
      },
    });
    record[`${method}Ms`] = Math.round(performance.now() - t0);
    record[`${method}Tensors`] = stats.size;
  }
  record.minmaxRatio = Math.round(((record.minmaxMs as number) / forwardMs) * 100) / 100;
  // The same min/max calibration split across compute workers: every core, and the default
  // (cores − 1, leaving one for the UI); the ranges are bit-identical to one worker's.
  for (const [label, workers] of [['all', availableParallelism()], ['default', defaultWorkerCount()]] as const) {
    if (workers <= 1) continue;
    const ds = await openDataset(images, specs, { preprocess: '0..1', samples: 100, seed: 0 });
    // Memory per worker: the process RSS while the workers run, above this thread's before they start.
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    t0 = performance.now();
    await collectStatistics(graph, ds, { method: 'minmax', workers });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    if (label === 'all') record.rssPerWorkerMb = Math.round((peak - before) / workers / 2 ** 20);
    record[`minmax${label === 'all' ? 'AllWorkers' : 'DefaultWorkers'}`] = workers;
    record[`minmax${label === 'all' ? 'AllWorkers' : 'DefaultWorkers'}Ms`] = Math.round(ms);
    record[`minmax${label === 'all' ? 'AllWorkers' : 'DefaultWorkers'}Ratio`] = Math.round((ms / forwardMs) * 100) / 100;
    record[`minmax${label === 'all' ? 'AllWorkers' : 'DefaultWorkers'}SpeedUp`] = Math.round(((record.minmaxMs as number) / ms) * 100) / 100;
  }
  record.backend = computeBackend().backend;
  record.rssAt20Mb = Math.round(rssAt20);
  record.rssAt100Mb = Math.round(rssAt100);
  record.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  record.targetRatioMet = (record.minmaxRatio as number) <= 2;
  console.log(
    `MobileNetV2: 100 forward passes ${record.forward100Ms} ms; calibration min/max ${record.minmaxMs} ms (x${record.minmaxRatio}), ` +
      `percentile ${record.percentileMs} ms, mse ${record.mseMs} ms; RSS ${record.rssAt20Mb} MB at 20 samples, ${record.rssAt100Mb} MB at 100; peak ${record.peakRssMb} MB; ` +
      `min/max on ${record.minmaxAllWorkers ?? 1} workers ${record.minmaxAllWorkersMs ?? '-'} ms (x${record.minmaxAllWorkersRatio ?? '-'}, speed-up ${record.minmaxAllWorkersSpeedUp ?? '-'}, RSS per worker ${record.rssPerWorkerMb ?? '-'} MB); backend ${record.backend}`,
  );
  console.log(`BENCH ${JSON.stringify(record)}`);
  if (!record.targetRatioMet) process.exitCode = 1;
} finally {
  rmSync(images, { recursive: true, force: true });
}
