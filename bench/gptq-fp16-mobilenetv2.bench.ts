// The README's nsfwjs MobileNetV2 fp16 row: fp16 weights by nearest rounding and by gptq on 8
// calibration photos (litert_224), each judged against the float file on the 80 held-out crops of
// the other photos in LiteRT.js (SQNR of the output), with the wall and CPU time of the gptq
// conversion. The test (test/quantize/nsfwjs.test.ts) keeps the functional check on fewer samples.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../src-main/convert/pipeline';
import type { QuantizeConfig } from '../src-main/convert/types';
import { agreement, runAll } from '../test/quantize/accuracy';
import { fixture, hasFixtures, imageFiles, loadImageCrops } from '../test/quantize/helpers';

if (!hasFixtures) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const SAMPLES = 8;
const model = fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
const dir = mkdtempSync(join(tmpdir(), 'edgequant-gptq-fp16-bench-'));
try {
  const convert = async (name: string, quantize: QuantizeConfig): Promise<{ bytes: Uint8Array; ms: number; cpuMs: number }> => {
    const output = join(dir, name);
    const start = performance.now();
    const cpu = process.cpuUsage();
    await convertModel({ model, output, quantize });
    const used = process.cpuUsage(cpu);
    return { bytes: new Uint8Array(readFileSync(output)), ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
  };
  const io = { inputType: 'float32', outputType: 'float32', int8Only: false } as const;
  const float = await convert('float.tflite', { ...io, mode: 'none' });
  const nearest = await convert('fp16.tflite', { ...io, mode: 'fp16' });
  const calibration = { path: fixture('images', 'litert_224'), preprocess: '0..1', samples: SAMPLES, method: 'minmax' as const, seed: 0 };
  const gptq = await convert('fp16-gptq.tflite', { ...io, mode: 'fp16', weightRounding: 'gptq', calibration });
  const heldOut = (await Promise.all(imageFiles('photos', 'coral').map((f) => loadImageCrops(f, 224, 1 / 255)))).flat();
  const reference = await runAll('litert-js', float.bytes, heldOut);
  const nearestDb = agreement(reference, await runAll('litert-js', nearest.bytes, heldOut)).sqnrDb;
  const gptqDb = agreement(reference, await runAll('litert-js', gptq.bytes, heldOut)).sqnrDb;
  const record = {
    name: 'gptq-fp16-mobilenetv2',
    calibrationSamples: SAMPLES,
    heldOutCrops: heldOut.length,
    nearestSqnrDb: Number(nearestDb.toFixed(1)),
    gptqSqnrDb: Number(gptqDb.toFixed(1)),
    gptqConvertMs: Math.round(gptq.ms),
    gptqCpuMs: Math.round(gptq.cpuMs),
    load1: Number(loadavg()[0]!.toFixed(2)),
  };
  console.log(`nsfwjs MobileNetV2 fp16 vs float (LiteRT.js, ${heldOut.length} held-out crops): nearest ${record.nearestSqnrDb} dB, gptq on ${SAMPLES} samples ${record.gptqSqnrDb} dB (${record.gptqConvertMs} ms, CPU ${record.gptqCpuMs} ms, load ${record.load1})`);
  console.log(`BENCH ${JSON.stringify(record)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
