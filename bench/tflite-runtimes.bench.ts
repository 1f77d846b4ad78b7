// Local TFLite runtimes (LiteRT.js wasm vs tfjs-tflite-node C library) on the official MLPerf
// Tiny files, plus read/write time of our TFLite layer. Latency is per single-sample invoke.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getRuntime } from '../src-main/runtime/index';
import { readTflite } from '../src-main/tflite/reader';
import { writeTflite } from '../src-main/tflite/writer';
import { sampleInput } from '../test/tflite/helpers';

const fixtures = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
if (!existsSync(fixtures)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const MODELS = [
  'mlperf-tiny/vww/vww_96_float.tflite',
  'mlperf-tiny/vww/vww_96_int8.tflite',
  'mlperf-tiny/resnet8/pretrainedResnet.tflite',
  'mlperf-tiny/resnet8/pretrainedResnet_quant.tflite',
  'coral/mobilenet_v2_1.0_224_quant.tflite',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const file of MODELS) {
  const bytes = new Uint8Array(readFileSync(join(fixtures, file)));
  const t0 = performance.now();
  const model = readTflite(bytes);
  const t1 = performance.now();
  const written = writeTflite(model);
  const t2 = performance.now();
  const record: Record<string, unknown> = { name: `tflite-runtimes ${file.split('/').pop()}`, bytes: bytes.length, writtenBytes: written.length, readMs: +(t1 - t0).toFixed(2), writeMs: +(t2 - t1).toFixed(2) };
  for (const name of ['litert-js', 'tflite-node'] as const) {
    const l0 = performance.now();
    const loaded = await getRuntime(name).load(bytes);
    const loadMs = performance.now() - l0;
    const inputs = loaded.inputs.map((info, i) => sampleInput(info, i + 1));
    for (let i = 0; i < 5; i++) await loaded.run(inputs);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const s = performance.now();
      await loaded.run(inputs);
      times.push(performance.now() - s);
    }
    record[name] = { loadMs: +loadMs.toFixed(1), p50Ms: +median(times).toFixed(3), minMs: +Math.min(...times).toFixed(3) };
    loaded.dispose();
  }
  console.log(`${file}: ${JSON.stringify(record)}`);
  console.log(`BENCH ${JSON.stringify(record)}`);
}
