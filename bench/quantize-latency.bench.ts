// Our int8 vww/resnet8 files against the official int8 files in LiteRT.js, same process, same
// input, interleaved rounds: median latency ratio ours/official (target ≤ 1.05).
import { readFileSync } from 'node:fs';
import { quantizeModel } from '../src-main/quantize/index';
import { getRuntime, type LoadedTflite } from '../src-main/runtime/index';
import { writeTflite } from '../src-main/tflite/writer';
import { hasFixtures, fixture, imageFiles, loadImage, observeRanges, readFixtureModel } from '../test/quantize/helpers';

if (!hasFixtures) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeRuns(model: LoadedTflite, input: Int8Array, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await model.run([input]);
    out.push(performance.now() - start);
  }
  return out;
}

for (const c of [
  { name: 'vww', dir: 'vww', float: 'vww_96_float.tflite', official: 'vww_96_int8.tflite', size: 96, range: { min: 0, max: 1 }, scale: 1 / 255 },
  { name: 'resnet8', dir: 'resnet8', float: 'pretrainedResnet.tflite', official: 'pretrainedResnet_quant.tflite', size: 32, range: { min: 0, max: 255 }, scale: 1 },
]) {
  const float = readFixtureModel('mlperf-tiny', c.dir, c.float);
  const samples = await Promise.all(imageFiles('photos', 'coral').map(async (f) => [await loadImage(f, c.size, c.scale)]));
  const { model } = await quantizeModel(float, { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true }, {
    statistics: await observeRanges(float, samples),
    inputRanges: new Map([[float.graphs[0]!.inputs[0]!, c.range]]),
  });
  const runtime = getRuntime('litert-js');
  const ours = await runtime.load(writeTflite(model));
  const official = await runtime.load(new Uint8Array(readFileSync(fixture('mlperf-tiny', c.dir, c.official))));
  const input = new Int8Array(c.size * c.size * 3).map((_, i) => (i % 255) - 128);
  await timeRuns(ours, input, 50);
  await timeRuns(official, input, 50);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 10; round++) {
    a.push(...(await timeRuns(ours, input, 50)));
    b.push(...(await timeRuns(official, input, 50)));
  }
  ours.dispose();
  official.dispose();
  const record = { name: `quantize-latency-${c.name}`, runtime: 'litert-js', runs: a.length, oursMedianMs: Number(median(a).toFixed(4)), officialMedianMs: Number(median(b).toFixed(4)), ratio: Number((median(a) / median(b)).toFixed(3)), target: 1.05 };
  console.log(`${c.name} int8 in LiteRT.js: ours ${record.oursMedianMs} ms, official ${record.officialMedianMs} ms, ratio ${record.ratio} (target ≤ 1.05)`);
  console.log(`BENCH ${JSON.stringify(record)}`);
}
