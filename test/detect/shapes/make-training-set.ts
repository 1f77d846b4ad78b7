// Writes the training set of the authored YOLOv8-style detector (see ./README.md): N scenes of
// shapes, size × size, as one raw uint8 file (N × size × size × 3) and their boxes as JSON.
// Backgrounds: random crops of the photos in the given folders, and synthetic ones.
//   node --import tsx test/detect/shapes/make-training-set.ts OUT_DIR N SIZE [PHOTO_DIR...]
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listImages, loadImage } from '../../../src-main/data/images';
import { seededRandom } from '../../../src-main/seeded-random';
import { drawScene, type SceneBox } from './scenes';

const [out, countText, sizeText, ...photoDirs] = process.argv.slice(2);
if (!out || !countText || !sizeText) throw new Error('usage: make-training-set.ts OUT_DIR N SIZE [PHOTO_DIR...]');
const count = Number(countText);
const size = Number(sizeText);
mkdirSync(out, { recursive: true });

// Each photo decoded once at 1.5 × size; a scene takes a random size × size crop, maybe mirrored.
const big = Math.round(size * 1.5);
const photos: Uint8Array[] = [];
for (const dir of photoDirs) for (const e of await listImages(dir)) photos.push(await loadImage(e.path, { height: big, width: big, channels: 3 }));
const r = seededRandom(20261204);
function crop(photo: Uint8Array): Uint8Array {
  const y0 = Math.floor(r() * (big - size));
  const x0 = Math.floor(r() * (big - size));
  const mirror = r() < 0.5;
  const outPixels = new Uint8Array(size * size * 3);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const sj = mirror ? size - 1 - j : j;
      const from = ((y0 + i) * big + x0 + sj) * 3;
      outPixels.set(photo.subarray(from, from + 3), (i * size + j) * 3);
    }
  }
  return outPixels;
}

const stream = createWriteStream(join(out, 'images.u8'));
const boxes: SceneBox[][] = [];
for (let n = 0; n < count; n++) {
  const background = photos.length > 0 && r() < 0.6 ? crop(photos[Math.floor(r() * photos.length)]!) : undefined;
  const scene = drawScene({ size, seed: 1_000_000 + n, ...(background ? { background } : {}) });
  if (!stream.write(scene.pixels)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  boxes.push(scene.boxes);
}
await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
writeFileSync(join(out, 'boxes.json'), JSON.stringify({ count, size, boxes }));
console.log(`${count} scenes of ${size}×${size} (${photos.length} background photos) in ${out}`);
