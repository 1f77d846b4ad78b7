// The authored YOLOv8-style model's BatchNorm statistics describe the photos it is judged on, as a
// trained network's describe its data: on the fixture photos (none of them among the images the
// statistics come from) every BatchNorm output, normalised by its gamma and beta, keeps a spread
// near 1 and a centre near 0 from the first layer to the last. Statistics from one synthetic image
// (how the model was built before) do not: the spread grows with depth.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { listImages, loadImage } from '../../src-main/data/images';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { fixture } from '../convert/helpers';
import { buildYolov8, normalisedSpread, statisticsImages, syntheticImage, YOLO_SIZE } from './yolov8-model';

const photos = fixture('images', 'photos');

test('YOLOv8-style model: on held-out photos every BatchNorm output has unit spread (statistics from a batch of photos), unlike statistics from one synthetic image', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async (t) => {
  const tf = await initTfjs();
  const entries = await listImages(photos);
  const pixels = await Promise.all(entries.map(async (e) => Float32Array.from(await loadImage(e.path, { height: YOLO_SIZE, width: YOLO_SIZE, channels: 3 }), (v) => v / 255)));
  const batch = new Float32Array(pixels.length * pixels[0]!.length);
  pixels.forEach((p, k) => batch.set(p, k * p.length));
  const judged = tf.tensor4d(batch, [pixels.length, YOLO_SIZE, YOLO_SIZE, 3]);

  const statistics = await statisticsImages(tf);
  const model = buildYolov8(tf, statistics.images);
  model.dispose();
  statistics.images.dispose();
  const spread = normalisedSpread(model, judged);
  t.diagnostic(`statistics from ${statistics.source}; on ${pixels.length} photos, median spread per BatchNorm: ${spread.map((b) => b.spread.toFixed(2)).join(' ')}; mean |centre| at most ${Math.max(...spread.map((b) => b.centre)).toFixed(2)}`);
  assert.equal(spread.length, 57);
  for (const b of spread) {
    assert.ok(b.spread > 0.5 && b.spread < 2, `${b.name}: spread ${b.spread.toFixed(2)}`);
    assert.ok(b.centre < 1, `${b.name}: centre ${b.centre.toFixed(2)}`);
  }

  const one = syntheticImage(tf, 1);
  const before = buildYolov8(tf, one);
  before.dispose();
  one.dispose();
  const old = normalisedSpread(before, judged);
  judged.dispose();
  t.diagnostic(`statistics from one synthetic image: spread ${old[0]!.spread.toFixed(2)} at the first BatchNorm, ${old.at(-1)!.spread.toFixed(2)} at the last`);
  assert.ok(old.at(-1)!.spread > 5, `one synthetic image: last spread ${old.at(-1)!.spread.toFixed(2)}`);
});
