// Full-int8 conversion of MobileNetV2 (nsfwjs TF.js layers, 224x224x3) with 100 real calibration
// images, against 100 plain float forward passes of the same model in the same process (the IR
// interpreter on tfjs, which calibration also uses). Target: conversion ≤ 2× the forwards,
// peak RSS ≤ 1.5 GB. The 100 images are crops/flips of the fixture photos, written to a temp dir.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertModel } from '../src-main/convert/pipeline';
import { createExecutor } from '../src-main/graph/execute';
import { calibrator } from '../src-main/quantize/calibration/index';
import { quantizeModel } from '../src-main/quantize/index';
import { readTflite } from '../src-main/tflite/reader';
import { evaluate } from '../src-main/evaluate/index';
import { availableParallelism } from 'node:os';

const fixtures = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
const model = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
if (!existsSync(model)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'edgequant-qbench-'));
try {
  const photos = ['photos', 'litert_224']
    .flatMap((d) => readdirSync(join(fixtures, 'images', d)).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => join(fixtures, 'images', d, f)));
  let n = 0;
  for (let variant = 0; n < 100; variant++) {
    for (const photo of photos) {
      if (n >= 100) break;
      let img = sharp(readFileSync(photo)).removeAlpha().resize(256 + 32 * (variant % 3), 256 + 32 * (variant % 3), { fit: 'cover' });
      if (variant % 2) img = img.flop();
      await img.jpeg({ quality: 92 }).toFile(join(dir, `calib_${String(n++).padStart(3, '0')}.jpg`));
    }
  }
  const float = join(dir, 'float.tflite');
  await convertModel({ model, output: float, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
  const executor = await createExecutor(readTflite(new Uint8Array(readFileSync(float))));
  const x = new Float32Array(224 * 224 * 3).map((_, i) => (i % 251) / 251);
  await executor.run([x]); // warm-up (kernel compilation, constant upload)
  /** CPU time of this process (all its threads) since `from`, in ms. */
  const cpuSince = (from: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(from);
    return (used.user + used.system) / 1000;
  };
  const startForward = performance.now();
  const forwardCpu = process.cpuUsage();
  for (let i = 0; i < 100; i++) await executor.run([x]);
  const forwardMs = performance.now() - startForward;
  const forwardCpuMs = cpuSince(forwardCpu);
  executor.dispose();

  const cores = availableParallelism();
  const start = performance.now();
  const result = await convertModel({
    model,
    output: join(dir, 'int8.tflite'),
    workers: 1,
    quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: { path: dir, preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
  });
  const convertMs = performance.now() - start;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  // The same work as quantizeModel alone, to split calibration (interpreter + observation) from our stages.
  const spec = { path: dir, preprocess: '0..1', samples: 100, method: 'minmax' as const, seed: 0 };
  const alone = await quantizeModel(readTflite(new Uint8Array(readFileSync(float))), { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: spec }, { calibrate: calibrator(spec) });
  const record = {
    name: 'quantize-mobilenetv2-int8',
    calibrationImages: 100,
    convertMs: Math.round(convertMs),
    quantizeStageMs: Math.round(result.timings['quantizeMs'] ?? 0),
    breakdownMs: alone.report.timings,
    float100ForwardsMs: Math.round(forwardMs),
    ratio: Number((convertMs / forwardMs).toFixed(2)),
    peakRssMb: Math.round(peakRssMb),
    targets: { ratio: 2, peakRssMb: 1536 },
    outputBytes: result.bytes,
    backend: result.compute.backend,
    workers: result.compute.workers,
  };
  console.log(`MobileNetV2 int8 conversion (100 images): ${record.convertMs} ms vs 100 float forwards ${record.float100ForwardsMs} ms (ratio ${record.ratio}, target ≤ 2); peak RSS ${record.peakRssMb} MB (target ≤ 1536); inside quantizeModel: ${JSON.stringify(alone.report.timings)}`);
  console.log(`BENCH ${JSON.stringify(record)}`);

  // Evaluation of the int8 file against the float one (LiteRT.js, the 100 images) on 1 and on
  // every core; the figures must be equal.
  const evalRecord: Record<string, number | string | boolean> = { name: 'evaluate-mobilenetv2-int8', samples: 100 };
  const reports = [];
  for (const workers of [1, cores]) {
    const t = performance.now();
    reports.push(await evaluate({ floatModel: float, quantModel: join(dir, 'int8.tflite'), data: dir, preprocess: '0..1', runtime: 'litert-js', latencyRuns: 0 }, { workers }));
    evalRecord[workers === 1 ? 'oneWorkerMs' : 'allWorkersMs'] = Math.round(performance.now() - t);
  }
  evalRecord.allWorkers = reports[1]!.compute?.workers ?? 1;
  evalRecord.speedUp = Number(((evalRecord.oneWorkerMs as number) / (evalRecord.allWorkersMs as number)).toFixed(2));
  evalRecord.equal = JSON.stringify(reports[0]!.outputs) === JSON.stringify(reports[1]!.outputs);
  console.log(`MobileNetV2 evaluation int8 vs float, 100 images: ${evalRecord.oneWorkerMs} ms on 1 worker, ${evalRecord.allWorkersMs} ms on ${evalRecord.allWorkers} (speed-up ${evalRecord.speedUp}); figures equal: ${evalRecord.equal}`);
  console.log(`BENCH ${JSON.stringify(evalRecord)}`);
  if (!evalRecord.equal) process.exitCode = 1;

  // Opt-in error-compensated int8 weights (--weight-rounding gptq): the layers' statistics are
  // summed in calibration's own pass (one float forward per sample), then a K×K solve per layer.
  // Target ≤ 3× the floor on one worker (the ≤ 2× target is for the default). On one core
  // (calibration and the gptq statistics in this thread), then on every core. CPU time is
  // reported too: on the shared machine it is steadier than wall time.
  const startGptq = performance.now();
  const gptqCpu = process.cpuUsage();
  const gptq = await convertModel({
    model,
    output: join(dir, 'int8-gptq.tflite'),
    workers: 1,
    quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, weightRounding: 'gptq', calibration: { path: dir, preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
  });
  const gptqMs = performance.now() - startGptq;
  const gptqCpuMs = cpuSince(gptqCpu);
  const startGptqAll = performance.now();
  const gptqAll = await convertModel({
    model,
    output: join(dir, 'int8-gptq-all.tflite'),
    workers: cores,
    quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, weightRounding: 'gptq', calibration: { path: dir, preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
  });
  const gptqAllMs = performance.now() - startGptqAll;
  const gptqRecord = {
    name: 'quantize-mobilenetv2-int8-gptq',
    calibrationImages: 100,
    convertMs: Math.round(gptqMs),
    float100ForwardsMs: Math.round(forwardMs),
    ratio: Number((gptqMs / forwardMs).toFixed(2)),
    cpuMs: Math.round(gptqCpuMs),
    float100ForwardsCpuMs: Math.round(forwardCpuMs),
    cpuRatio: Number((gptqCpuMs / forwardCpuMs).toFixed(2)),
    compensatedLayers: gptq.quantization?.weightRounding?.compensated ?? 0,
    allWorkers: gptqAll.compute.workers,
    allWorkersMs: Math.round(gptqAllMs),
    allWorkersRatio: Number((gptqAllMs / forwardMs).toFixed(2)),
    allWorkersSpeedUp: Number((gptqMs / gptqAllMs).toFixed(2)),
    backend: gptq.compute.backend,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(`MobileNetV2 int8 with --weight-rounding gptq on 1 worker: ${gptqRecord.convertMs} ms (×${gptqRecord.ratio} of 100 float forwards; CPU ×${gptqRecord.cpuRatio}, target ≤ 3), ${gptqRecord.compensatedLayers} layers compensated; on ${gptqRecord.allWorkers} workers ${gptqRecord.allWorkersMs} ms (×${gptqRecord.allWorkersRatio}, speed-up ${gptqRecord.allWorkersSpeedUp})`);
  console.log(`BENCH ${JSON.stringify(gptqRecord)}`);

  // fp16 with calibration data defaults to gptq, which makes one pass over the samples per
  // layer (each layer sees the rounded layers before it), each from the last checkpoint.
  const fp16Samples = 100;
  const startFp16 = performance.now();
  const fp16Cpu = process.cpuUsage();
  const fp16 = await convertModel({
    model,
    output: join(dir, 'fp16-gptq.tflite'),
    workers: 1,
    quantize: { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'gptq', calibration: { path: dir, preprocess: '0..1', samples: fp16Samples, method: 'minmax', seed: 0 } },
  });
  const fp16Ms = performance.now() - startFp16;
  const fp16CpuMs = cpuSince(fp16Cpu);
  const fp16Record = {
    name: 'quantize-mobilenetv2-fp16-gptq',
    calibrationImages: fp16Samples,
    weightRounding: fp16.quantization?.weightRounding?.method,
    convertMs: Math.round(fp16Ms),
    msPerSample: Math.round(fp16Ms / fp16Samples),
    float100ForwardsMs: Math.round(forwardMs),
    ratio: Number((fp16Ms / forwardMs).toFixed(2)),
    cpuRatio: Number((fp16CpuMs / forwardCpuMs).toFixed(2)),
    backend: fp16.compute.backend,
    compensatedLayers: fp16.quantization?.weightRounding?.compensated ?? 0,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(`MobileNetV2 fp16 with calibration (gptq, ${fp16Samples} images): ${fp16Record.convertMs} ms (×${fp16Record.ratio} of 100 float forwards, CPU ×${fp16Record.cpuRatio}, ${fp16Record.msPerSample} ms per sample), ${fp16Record.compensatedLayers} layers compensated, backend ${fp16Record.backend}`);
  console.log(`BENCH ${JSON.stringify(fp16Record)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
