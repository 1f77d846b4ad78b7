// Checks that the TypeScript build of the authored network and PyTorch's (./train.py) are one
// network: both run the trained weights on the same scenes and their outputs are compared.
// Needs python3 with torch (offline tooling, not CI):
//   node --import tsx test/detect/shapes/yolov8-mirror.ts [WEIGHTS_PREFIX]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTfjs } from '../../../src-main/graph/tfjs-backend';
import { sqnrDb } from '../../convert/helpers';
import { buildYolov8, YOLO_SIZE } from '../yolov8-model';
import { drawScene } from './scenes';
import { TRAINED_WEIGHTS, WeightStream } from './trained-weights';

const prefix = process.argv[2] ?? TRAINED_WEIGHTS;
const tf = await initTfjs();
const scenes = [1, 2].map((seed) => drawScene({ size: YOLO_SIZE, seed }));
const dir = mkdtempSync(join(tmpdir(), 'yolov8-mirror-'));
const raw = new Uint8Array(scenes.length * YOLO_SIZE * YOLO_SIZE * 3);
scenes.forEach((s, k) => raw.set(s.pixels, k * s.pixels.length));
writeFileSync(join(dir, 'images.u8'), raw);
execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'mirror.py'), prefix, join(dir, 'images.u8'), String(YOLO_SIZE), join(dir, 'out.f32')], { cwd: import.meta.dirname, stdio: 'inherit' });
const torchOut = new Float32Array(readFileSync(join(dir, 'out.f32')).buffer.slice(0));

const x = tf.tensor4d(Float32Array.from(raw, (v) => v / 255), [scenes.length, YOLO_SIZE, YOLO_SIZE, 3]);
const model = buildYolov8(tf, x.slice([0, 0, 0, 0], [1, -1, -1, -1]), WeightStream.load(prefix));
model.dispose();
const [ours] = model.forward(x);
const got = ours!.dataSync() as Float32Array;
const per = got.length / scenes.length;
for (let k = 0; k < scenes.length; k++) {
  const a = got.subarray(k * per, (k + 1) * per);
  const b = torchOut.subarray(k * per, (k + 1) * per);
  const cells = per / 84;
  const scores = (v: Float32Array) => v.subarray(4 * cells);
  console.log(`scene ${k}: all ${sqnrDb([b], [a]).toFixed(1)} dB, scores ${sqnrDb([scores(b)], [scores(a)]).toFixed(1)} dB, max score ${scores(a).reduce((m, v) => Math.max(m, v), 0).toFixed(3)}; ${scenes[k]!.boxes.length} shapes`);
}
