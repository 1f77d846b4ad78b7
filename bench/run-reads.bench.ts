// How often one project run reads its data: "convert as a project run" (hash the calibration
// set, calibrate, stream the samples for gptq, evaluate on the held-out part) with the run's one
// DataReader, against the same run with nothing kept (every stage reads from disk, as before the
// reader). Reads per sample = disk reads of sample files / sample files.
//  - the MNIST demo (its model in resources/demo, its digits in out/demo as `npm run build` writes them), int8 with gptq, 20 of 100 digits held out (the default 20% share), 60 of the other 80 calibrate;
//  - MobileNetV2 (nsfwjs, 224x224x3) int8, 20 of 100 photos held out, 60 of the other 80 calibrate (with the
//    reader only: without gptq no stage reads a sample twice).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { convertAsProjectRun } from '../src-main/app/convert-run';
import type { ConvertRequest } from '../src-main/convert/types';
import { DataReader } from '../src-main/data/reader';
import { initProject } from '../src-main/projects/index';
import { ensureBuilt } from '../test/helpers/build';

const root = join(import.meta.dirname, '..');
// The demo's digits are written by the build (out/demo), not committed.
await ensureBuilt();
const fixtures = join(root, '..', 'shared', 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'edgequant-reads-bench-'));

async function measure(name: string, model: string, data: string, preprocess: string, weightRounding: 'nearest' | 'gptq', keep: boolean) {
  const project = join(work, `${name}-${keep ? 'reader' : 'uncached'}`);
  initProject(project);
  const reader = keep ? new DataReader() : new DataReader({ maxFileBytes: 0, maxDecodedBytes: 0 });
  const request: ConvertRequest = {
    model,
    output: join(work, 'unused.tflite'),
    quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding, calibration: { path: data, preprocess, samples: 60, method: 'minmax', seed: 0 } },
  };
  const started = performance.now();
  const { run, evaluation } = await convertAsProjectRun({ project, request, benchRuns: 0 }, { reader });
  if (run.status !== 'succeeded') throw new Error(`${name}: run ${run.status}: ${run.error?.message}`);
  const reads = [...reader.reads().values()].reduce((a, b) => a + b, 0);
  return {
    ms: Math.round(performance.now() - started),
    readsPerSample: Math.round((reads / reader.reads().size) * 100) / 100,
    files: reader.reads().size,
    evaluated: evaluation?.samples ?? 0,
    backend: run.compute?.backend ?? 'unknown',
    workers: run.compute?.workers ?? 1,
  };
}

try {
  const record: Record<string, number | string> = { name: 'run-reads' };
  const cases: { name: string; model: string; data: string; preprocess: string; rounding: 'nearest' | 'gptq'; compare: boolean }[] = [
    { name: 'mnist', model: join(root, 'resources', 'demo', 'model', 'model.json'), data: join(root, 'out', 'demo', 'calibration'), preprocess: '0..1', rounding: 'gptq', compare: true },
  ];
  const mobilenet = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
  if (existsSync(mobilenet)) {
    const images = join(work, 'photos');
    mkdirSync(images);
    const photos = ['photos', 'coral', 'litert_224'].flatMap((d) =>
      readdirSync(join(fixtures, 'images', d)).filter((f) => /\.(png|jpe?g|bmp)$/i.test(f)).map((f) => join(fixtures, 'images', d, f)),
    );
    for (let i = 0; i < 100; i++) symlinkSync(photos[i % photos.length]!, join(images, `img${String(i).padStart(3, '0')}${extname(photos[i % photos.length]!)}`));
    cases.push({ name: 'mobilenetv2', model: mobilenet, data: images, preprocess: '0..1', rounding: 'nearest', compare: false });
  } else {
    console.log('MobileNetV2 case skipped: ../shared/fixtures absent');
  }
  // Warm-up (TF.js backend, runtimes, module loading), not recorded: the figures compare warm runs.
  await measure('warm-up', cases[0]!.model, cases[0]!.data, cases[0]!.preprocess, cases[0]!.rounding, false);
  for (const c of cases) {
    const once = await measure(c.name, c.model, c.data, c.preprocess, c.rounding, true);
    record[`${c.name}ReadsPerSample`] = once.readsPerSample;
    record[`${c.name}Ms`] = once.ms;
    record.backend = once.backend;
    record[`${c.name}Workers`] = once.workers;
    let line = `${c.name} int8 ${c.rounding} run (${once.files} files, 60 calibrate, ${once.evaluated} held out): ${once.readsPerSample} reads per sample in ${once.ms} ms (${once.workers} worker(s), backend ${once.backend})`;
    if (c.compare) {
      const uncached = await measure(c.name, c.model, c.data, c.preprocess, c.rounding, false);
      record[`${c.name}UncachedReadsPerSample`] = uncached.readsPerSample;
      record[`${c.name}UncachedMs`] = uncached.ms;
      line += `; nothing kept: ${uncached.readsPerSample} reads per sample in ${uncached.ms} ms`;
    }
    console.log(line);
  }
  record.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH ${JSON.stringify(record)}`);
  if (Object.entries(record).some(([k, v]) => k.endsWith('ReadsPerSample') && !k.includes('Uncached') && v !== 1)) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
