// What the quantizer's options do for the authored YOLOv8-style model's int8 error (the model of
// test/detect/yolov8-int8.test.ts, 640×640): each configuration is converted with `--detector-fix
// split` (int8 ones with the guide's uint8 I/O), calibrated on 4 fixture photos, and judged
// against the float file on the 2 others (tflite-node): SQNR of the boxes (rows 0–3) and the
// scores (rows 4–83). Then the float model's own noise gain: its input plus white noise at a
// given SQNR, outputs against the clean run. Not timing: the figures do not depend on load.
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli } from '../src-main/cli/main';
import { listImages, loadImage } from '../src-main/data/images';
import { initTfjs } from '../src-main/graph/tfjs-backend';
import { ErrorAccumulator } from '../src-main/validation/sqnr';
import { tempDir } from '../test/convert/helpers';
import { runIn } from '../test/detect/fix-helpers';
import { writeKerasH5 } from '../test/detect/keras-files';
import { buildYolov8, statisticsImages, YOLO_SIZE } from '../test/detect/yolov8-model';

const photos = join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'images', 'photos');
if (!existsSync(photos)) {
  console.log('skipped: ../shared/fixtures absent');
  process.exit(0);
}
const HELD_OUT = ['horse.png', 'rocket.jpg'];
const ANCHORS = 8400;

const dir = tempDir('edgequant-yolov8-remedies-');
const calibration = join(dir, 'calibration');
mkdirSync(calibration);
for (const { path } of await listImages(photos)) if (!HELD_OUT.includes(basename(path))) symlinkSync(path, join(calibration, basename(path)));

const tf = await initTfjs();
const statistics = await statisticsImages(tf);
const model = buildYolov8(tf, statistics.images);
model.dispose();
statistics.images.dispose();
console.log(`BatchNorm statistics from ${statistics.source}`);
const h5 = join(dir, 'yolov8n.h5');
await writeKerasH5(model, h5, 'yolov8n');

async function cli(args: string[]): Promise<void> {
  const err: string[] = [];
  const code = await runCli(args, { stdout: () => undefined, stderr: (t: string) => err.push(t), cwd: process.cwd(), env: {} });
  if (code !== 0) throw new Error(`edgequant ${args.join(' ')}: ${err.join('')}`);
}

const floatFile = join(dir, 'float.tflite');
await cli(['convert', h5, '-o', floatFile]);
const inputs = await Promise.all(HELD_OUT.map(async (name) => Float32Array.from(await loadImage(join(photos, name), { height: YOLO_SIZE, width: YOLO_SIZE, channels: 3 }), (v) => v / 255)));
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
for (const db of [60, 50, 40]) {
  const noisy = inputs.map((x) => {
    const power = x.reduce((a, v) => a + v * v, 0) / x.length;
    const sigma = Math.sqrt(power / 10 ** (db / 10));
    return Float32Array.from(x, (v) => v + sigma * gauss());
  });
  const f = figures(await runIn('tflite-node', floatBytes, noisy));
  console.log(`float model, input noise at ${db} dB: boxes ${f.boxes.toFixed(1)} dB, scores ${f.scores.toFixed(1)} dB`);
  console.log(`BENCH ${JSON.stringify({ name: `yolov8 float input noise ${db} dB`, boxesDb: f.boxes, scoresDb: f.scores })}`);
}
