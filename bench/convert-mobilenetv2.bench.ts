// Conversion time and peak memory for the MobileNetV2 TF.js layers model (nsfwjs, 224x224x3):
// import (weights dequantized from uint8), float passes, write. Runs in its own process
// (bench/run.ts), so maxRSS is this conversion's peak; the first run includes module loading.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertModel } from '../src-main/convert/pipeline';

const model = join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
if (!existsSync(model)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'edgequant-bench-'));
const baselineMb = process.memoryUsage().rss / 2 ** 20;
const runs: number[] = [];
let bytes = 0;
try {
  for (let i = 0; i < 4; i++) {
    const start = performance.now();
    const result = await convertModel({ model, output: join(dir, 'out.tflite'), quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
    runs.push(performance.now() - start);
    bytes = result.bytes;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const warm = runs.slice(1).sort((a, b) => a - b);
const record = {
  name: 'convert-mobilenetv2-float',
  model: 'nsfwjs_mobilenet_v2 (TF.js layers)',
  outputBytes: bytes,
  firstRunMs: Math.round(runs[0]!),
  medianMs: Math.round(warm[Math.floor(warm.length / 2)]!),
  peakRssMb: Math.round(peakRssMb),
  baselineRssMb: Math.round(baselineMb),
};
console.log(`MobileNetV2 float conversion: first ${record.firstRunMs} ms, median ${record.medianMs} ms, peak RSS ${record.peakRssMb} MB (baseline ${record.baselineRssMb} MB), ${bytes} B`);
console.log(`BENCH ${JSON.stringify(record)}`);
