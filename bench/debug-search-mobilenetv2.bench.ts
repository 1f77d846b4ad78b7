// The quantization debugger and the accuracy-budget search on MobileNetV2 (nsfwjs TF.js layers, 224×224×3): int8 calibrated on
// the litert_224 photos, measured layer by layer on 32 held-out crops of other photos, with the
// sensitivity passes on 8 of them. Reports the wall time of each part and the peak RSS; the
// issue's target is "a few minutes on 2 cores". The per-layer passes run on 1 and on 2 compute
// workers: the measurement time of each, their ratio, the RSS per worker, and whether the two
// reports are equal (they must be: the figures do not depend on the split).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { isDeepStrictEqual } from 'node:util';
import { debugQuantization, type DebugReport } from '../src-main/debug/index';
import { searchQuantization } from '../src-main/search/index';

const fixtures = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
const model = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
if (!existsSync(model)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'edgequant-debug-bench-'));
try {
  const photos = ['photos', 'coral']
    .flatMap((d) => readdirSync(join(fixtures, 'images', d)).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => join(fixtures, 'images', d, f)));
  let n = 0;
  for (let variant = 0; n < 32; variant++) {
    for (const photo of photos) {
      if (n >= 32) break;
      let img = sharp(readFileSync(photo)).removeAlpha().resize(256 + 32 * (variant % 3), 256 + 32 * (variant % 3), { fit: 'cover' });
      if (variant % 2) img = img.flop();
      await img.jpeg({ quality: 92 }).toFile(join(dir, `held_${String(n++).padStart(3, '0')}.jpg`));
    }
  }
  const calibration = { path: join(fixtures, 'images', 'litert_224'), preprocess: '0..1', samples: 100, method: 'minmax' as const, seed: 0 };
  const debugRequest = {
    model,
    quantize: { mode: 'int8' as const, inputType: 'float32' as const, outputType: 'float32' as const, int8Only: false, calibration },
    data: dir,
    preprocess: '0..1',
    samples: 32,
    sensitivitySamples: 8,
  };
  const report = await debugQuantization(debugRequest, { workers: 1 });
  // The same on 2 compute workers; memory per worker: the process RSS while they run, above this
  // thread's before they start (the main thread builds no interpreter then).
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  let split: DebugReport;
  try {
    split = await debugQuantization(debugRequest, { workers: 2 });
  } finally {
    clearInterval(sampler);
  }
  const figuresOf = (r: DebugReport) => ({ ...r, timings: {}, workers: 0 });
  const workersRecord = {
    name: 'debug-mobilenetv2-int8-workers',
    measureMs1: report.timings['measureMs'],
    measureMs2: split.timings['measureMs'],
    ratio2to1: Number((split.timings['measureMs']! / report.timings['measureMs']!).toFixed(2)),
    rssPerWorkerMb: Math.round((rssPeak - rssBefore) / 2 / 2 ** 20),
    reportsEqual: isDeepStrictEqual(figuresOf(split), figuresOf(report)),
    load: loadavg().map((x) => Number(x.toFixed(1))),
    date: new Date().toISOString(),
  };
  console.log(
    `MobileNetV2 debugger per-layer passes: 1 worker ${(workersRecord.measureMs1! / 1000).toFixed(1)} s, 2 workers ${(workersRecord.measureMs2! / 1000).toFixed(1)} s (×${workersRecord.ratio2to1}), ` +
      `RSS per worker ${workersRecord.rssPerWorkerMb} MB, reports equal: ${workersRecord.reportsEqual}; load ${workersRecord.load.join(' ')}`,
  );
  console.log(`BENCH ${JSON.stringify(workersRecord)}`);
  if (!workersRecord.reportsEqual) process.exitCode = 1;
  const record = {
    name: 'debug-mobilenetv2-int8',
    layers: report.layers.length,
    heldOutSamples: report.samples,
    sensitivitySamples: 8,
    convertMs: report.timings['convertMs'],
    measureMs: report.timings['measureMs'],
    totalMs: report.timings['totalMs'],
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    worst: report.ranking.slice(0, 3),
  };
  console.log(`MobileNetV2 int8 debugger: ${record.layers} layers, ${record.heldOutSamples} held-out samples (sensitivity on 8): ${(record.totalMs! / 1000).toFixed(1)} s (conversion ${(record.convertMs! / 1000).toFixed(1)} s, measurement ${(record.measureMs! / 1000).toFixed(1)} s), peak RSS ${record.peakRssMb} MB`);
  console.log(`BENCH ${JSON.stringify(record)}`);

  // The accuracy-budget search: fp16, dynamic, int8, then int8 keeping the most harmful layers
  // float (at most 8), each converted and measured on the same 32 held-out crops.
  const searchStart = performance.now();
  const search = await searchQuantization({
    model,
    output: join(dir, 'best.tflite'),
    calibration,
    data: dir,
    preprocess: '0..1',
    budget: 'sqnr>=30',
    kinds: ['fp16', 'dynamic', 'int8', 'int8-mixed'],
    maxKeepFloat: 8,
  });
  const searchRecord = {
    name: 'search-mobilenetv2-sqnr30',
    candidates: search.candidates.length,
    recommended: search.recommended ?? null,
    totalMs: Math.round(performance.now() - searchStart),
    perCandidateMs: search.candidates.map((c) => ({ id: c.id, ms: c.elapsedMs, sqnrDb: Number(c.outputs[0]!.sqnrDb.toFixed(1)), sizeRatio: Number(c.sizeRatio.toFixed(3)) })),
    verdict: search.verdict,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(`MobileNetV2 search (sqnr>=30): ${searchRecord.candidates} candidates in ${(searchRecord.totalMs / 1000).toFixed(1)} s; ${search.verdict}`);
  console.log(`BENCH ${JSON.stringify(searchRecord)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
