// What the quantizer's options do for the authored YOLOv8-style model's int8 error (the trained
// model of test/detect/yolov8.test.ts, 640×640): each configuration is converted with
// `--detector-fix split` (int8 ones with the guide's uint8 I/O), calibrated on 8 scenes of shapes
// on photos, and judged against the float file on 4 others (tflite-node): SQNR of the boxes
// (rows 0–3) and the scores (rows 4–83). Then the float model's own noise gain: its input plus
// white noise at a given SQNR, outputs against the clean run; how well its BatchNorm statistics
// describe the held-out scenes; where along the network the input noise grows (each BatchNorm
// output's SQNR), next to what mean-field theory predicts per Conv-BN-SiLU layer for random
// kernels with the model's gammas and betas. Not timing: the figures do not depend on load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src-main/cli/main';
import { initTfjs } from '../src-main/graph/tfjs-backend';
import { ErrorAccumulator } from '../src-main/validation/sqnr';
import { tempDir } from '../test/convert/helpers';
import { runIn } from '../test/detect/fix-helpers';
import { writeKerasH5 } from '../test/detect/keras-files';
import { judgingScenes, sceneInputs, writeScenes } from '../test/detect/shapes/judging-scenes';
import { WeightStream } from '../test/detect/shapes/trained-weights';
import { buildYolov8, normalisedSpread, YOLO_SIZE } from '../test/detect/yolov8-model';

const ANCHORS = 8400;
const dir = tempDir('edgequant-yolov8-remedies-');
const calibration = join(dir, 'calibration');
const calibrationScenes = await judgingScenes(YOLO_SIZE, 8, 1000);
await writeScenes(calibrationScenes.scenes, YOLO_SIZE, calibration);
const heldOut = await judgingScenes(YOLO_SIZE, 4, 2000);
console.log(`scenes: ${heldOut.source}`);

const tf = await initTfjs();
const probe = tf.tensor4d(sceneInputs(heldOut.scenes.slice(0, 1))[0]!, [1, YOLO_SIZE, YOLO_SIZE, 3]);
const model = buildYolov8(tf, probe, WeightStream.load());
model.dispose();
probe.dispose();
const h5 = join(dir, 'yolov8n.h5');
await writeKerasH5(model, h5, 'yolov8n');

async function cli(args: string[]): Promise<void> {
  const err: string[] = [];
  const code = await runCli(args, { stdout: () => undefined, stderr: (t: string) => err.push(t), cwd: process.cwd(), env: {} });
  if (code !== 0) throw new Error(`edgequant ${args.join(' ')}: ${err.join('')}`);
}

const floatFile = join(dir, 'float.tflite');
await cli(['convert', h5, '-o', floatFile]);
const inputs = sceneInputs(heldOut.scenes);
const floatBytes = new Uint8Array(readFileSync(floatFile));
const reference = await runIn('tflite-node', floatBytes, inputs);

/** Boxes and scores SQNR of `outputs` (one [1,84,8400] output, or split boxes + scores) against float. */
function figures(outputs: Float32Array[][]): { boxes: number; scores: number } {
  const boxes = new ErrorAccumulator();
  const scores = new ErrorAccumulator();
  outputs.forEach((outs, k) => {
    const whole = outs.find((o) => o.length === 84 * ANCHORS);
    const b = whole ? whole.subarray(0, 4 * ANCHORS) : outs.find((o) => o.length === 4 * ANCHORS)!;
    const s = whole ? whole.subarray(4 * ANCHORS) : outs.find((o) => o.length === 80 * ANCHORS)!;
    boxes.add(reference[k]![0]!.subarray(0, 4 * ANCHORS), b);
    scores.add(reference[k]![0]!.subarray(4 * ANCHORS), s);
  });
  return { boxes: boxes.sqnrDb, scores: scores.sqnrDb };
}

// The floor set by the scores' own storage, the rest of the network exact: the float scores
// rounded to the int8 LOGISTIC's fixed output step (1/256, which the split scores output keeps),
// and to a uint8 output over the range calibration sees (0..the calibration scenes' highest
// score), what a float or int16 sigmoid before a uint8 output would allow.
{
  const calibrationInputs = sceneInputs(calibrationScenes.scenes);
  const high = Math.max(...(await runIn('tflite-node', floatBytes, calibrationInputs)).map((o) => o[0]!.subarray(4 * ANCHORS).reduce((a, v) => Math.max(a, v), 0)));
  for (const [label, step] of [['int8 LOGISTIC output step 1/256 (the split scores output keeps it)', 1 / 256], [`uint8 step over the calibrated 0..${high.toFixed(2)}`, high / 255]] as const) {
    const acc = new ErrorAccumulator();
    for (const outs of reference) {
      const s = outs[0]!.subarray(4 * ANCHORS);
      acc.add(s, Float32Array.from(s, (v) => Math.min(Math.round(v / step), 255) * step));
    }
    console.log(`float scores rounded to the ${label} alone: scores ${acc.sqnrDb.toFixed(1)} dB`);
    console.log(`BENCH ${JSON.stringify({ name: `yolov8 float scores rounded to the ${label}`, scoresDb: acc.sqnrDb })}`);
  }
}

const int8 = ['--quantize', 'int8', '--input-type', 'uint8', '--output-type', 'uint8'];
const configs: [string, string[]][] = [
  ['int8 minmax (default)', int8],
  ['int8 --calibration-method mse', [...int8, '--calibration-method', 'mse']],
  ['int8 --calibration-method percentile', [...int8, '--calibration-method', 'percentile']],
  ['int8 --bias-correction', [...int8, '--bias-correction']],
  ['int8 --weight-rounding gptq', [...int8, '--weight-rounding', 'gptq']],
  ['dynamic', ['--quantize', 'dynamic']],
  ['int16x8 (float I/O)', ['--quantize', 'int16x8']],
  ['fp16', ['--quantize', 'fp16']],
];
for (const [label, flags] of configs) {
  const file = join(dir, `${label.replace(/\W+/g, '_')}.tflite`);
  const calibrated = flags.includes('fp16') || flags.includes('dynamic') ? [] : ['--calibration', calibration, '--preprocess', '0..1'];
  await cli(['convert', h5, '-o', file, ...flags, ...calibrated, '--detector-fix', 'split']);
  const f = figures(await runIn('tflite-node', new Uint8Array(readFileSync(file)), inputs));
  console.log(`${label}: boxes ${f.boxes.toFixed(1)} dB, scores ${f.scores.toFixed(1)} dB`);
  console.log(`BENCH ${JSON.stringify({ name: `yolov8 split ${label}`, boxesDb: f.boxes, scoresDb: f.scores })}`);
}

// Seeded white noise (Box–Muller on an LCG) at `db` below each input's power.
let seed = 1;
const uniform = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const gauss = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
const noisy60: Float32Array[] = [];
for (const db of [60, 50, 40]) {
  const noisy = inputs.map((x) => {
    const power = x.reduce((a, v) => a + v * v, 0) / x.length;
    const sigma = Math.sqrt(power / 10 ** (db / 10));
    return Float32Array.from(x, (v) => v + sigma * gauss());
  });
  if (db === 60) noisy60.push(...noisy);
  const f = figures(await runIn('tflite-node', floatBytes, noisy));
  console.log(`float model, input noise at ${db} dB: boxes ${f.boxes.toFixed(1)} dB, scores ${f.scores.toFixed(1)} dB`);
  console.log(`BENCH ${JSON.stringify({ name: `yolov8 float input noise ${db} dB`, boxesDb: f.boxes, scoresDb: f.scores })}`);
}

const image = (x: Float32Array) => tf.tensor4d(x, [1, YOLO_SIZE, YOLO_SIZE, 3]);
const held = tf.concat(inputs.map(image), 0);
const spread = normalisedSpread(model, held);
held.dispose();
const worst = spread.reduce((a, b) => (Math.abs(Math.log(b.spread)) > Math.abs(Math.log(a.spread)) ? b : a));
const centre = Math.max(...spread.map((b) => b.centre));
console.log(`BatchNorm outputs on the held-out scenes, (y − beta) / gamma per channel (1 and 0 when the statistics fit): median spread ${spread[0]!.spread.toFixed(2)} at the first of ${spread.length}, ${spread.at(-1)!.spread.toFixed(2)} at the last, furthest from 1 ${worst.spread.toFixed(2)} (${worst.name}); mean |centre| at most ${centre.toFixed(2)}`);
console.log(`BENCH ${JSON.stringify({ name: 'yolov8 float BatchNorm spread on held-out scenes', first: spread[0]!.spread, last: spread.at(-1)!.spread, worst: worst.spread, maxCentre: centre })}`);

// Each BatchNorm output's SQNR under the 60 dB input noise (TF.js, the Keras network itself).
const bnNames = spread.map((b) => b.name);
const perBn = bnNames.map(() => new ErrorAccumulator());
inputs.forEach((x, k) => {
  tf.tidy(() => {
    const clean = model.trace(image(x));
    const noisy = model.trace(image(noisy60[k]!));
    bnNames.forEach((name, i) => perBn[i]!.add(clean.get(`${name}:0`)!.dataSync() as Float32Array, noisy.get(`${name}:0`)!.dataSync() as Float32Array));
  });
});
const profile = perBn.map((a) => a.sqnrDb);
const perLayer = (profile[0]! - profile.at(-1)!) / (profile.length - 1);
console.log(`float model, input noise at 60 dB, BatchNorm outputs in build order: ${profile.map((d) => d.toFixed(1)).join(' ')} dB (${perLayer.toFixed(2)} dB lost per BatchNorm on average)`);
console.log(`BENCH ${JSON.stringify({ name: 'yolov8 float per-BatchNorm SQNR at 60 dB input noise', first: profile[0], last: profile.at(-1), dbPerLayer: perLayer })}`);

// Mean-field theory: after Conv (random iid kernel) → BN → SiLU, a small perturbation's power
// relative to the signal's grows per layer by E[silu'(z)²]·γ² / Var(silu(z)), z ~ N(β, γ²),
// pooled over the model's channels (numerical integration on a grid).
const silu = (z: number) => z / (1 + Math.exp(-z));
const dsilu = (z: number) => {
  const s = 1 / (1 + Math.exp(-z));
  return s * (1 + z * (1 - s));
};
let num = 0;
let den = 0;
for (const layer of model.layers.filter((l) => l.className === 'BatchNormalization')) {
  const gamma = layer.weights.find((w) => w.name === 'gamma')!.data;
  const beta = layer.weights.find((w) => w.name === 'beta')!.data;
  gamma.forEach((g, c) => {
    let p = 0, m1 = 0, m2 = 0, d2 = 0;
    for (let u = -8; u <= 8; u += 0.01) {
      const w = Math.exp(-u * u / 2);
      const z = beta[c]! + g * u;
      p += w;
      m1 += w * silu(z);
      m2 += w * silu(z) ** 2;
      d2 += w * dsilu(z) ** 2;
    }
    num += (d2 / p) * g * g;
    den += m2 / p - (m1 / p) ** 2;
  });
}
const meanField = 10 * Math.log10(num / den);
console.log(`mean-field prediction for random kernels with the model's gammas/betas: ${meanField.toFixed(2)} dB per Conv-BN-SiLU layer`);
console.log(`BENCH ${JSON.stringify({ name: 'yolov8 mean-field noise growth per layer', dbPerLayer: meanField })}`);
