// The scenes the trained YOLOv8-style detector is judged on: shapes drawn on the fixture photos of
// images/photos (none of them among its training backgrounds) when ../shared is present, else on
// synthetic backgrounds. Written as PNG files with YOLO-format labels (one .txt per image:
// `class cx cy w h`, normalised), as a user's validation folder would be.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { listImages, loadImage } from '../../../src-main/data/images';
import { fixture } from '../../convert/helpers';
import { drawScene, type Scene } from './scenes';

export const JUDGING_PHOTOS = fixture('images', 'photos');

export interface JudgingScenes {
  scenes: Scene[];
  /** What the backgrounds are, for the tests' diagnostics. */
  source: string;
}

/** `count` scenes of size × size from seed `firstSeed` on, backgrounds taken in turn. */
export async function judgingScenes(size: number, count: number, firstSeed: number): Promise<JudgingScenes> {
  const photos = existsSync(JUDGING_PHOTOS) ? await Promise.all((await listImages(JUDGING_PHOTOS)).map((e) => loadImage(e.path, { height: size, width: size, channels: 3 }))) : [];
  const scenes = Array.from({ length: count }, (_, k) => {
    const background = photos[k % Math.max(photos.length, 1)];
    return drawScene({ size, seed: firstSeed + k, ...(background ? { background } : {}) });
  });
  return { scenes, source: photos.length ? `shapes on the ${photos.length} photos of images/photos` : 'shapes on synthetic backgrounds (../shared absent)' };
}

/** The scenes' pixels in [0, 1], one Float32Array per scene (the model's input, NHWC). */
export function sceneInputs(scenes: Scene[]): Float32Array[] {
  return scenes.map((s) => Float32Array.from(s.pixels, (v) => v / 255));
}

/** Writes scene_NNN.png into `imagesDir` and, when `labelsDir` is given, scene_NNN.txt labels. */
export async function writeScenes(scenes: Scene[], size: number, imagesDir: string, labelsDir?: string): Promise<void> {
  mkdirSync(imagesDir, { recursive: true });
  if (labelsDir) mkdirSync(labelsDir, { recursive: true });
  for (const [k, scene] of scenes.entries()) {
    const name = `scene_${String(k).padStart(3, '0')}`;
    await sharp(Buffer.from(scene.pixels), { raw: { width: size, height: size, channels: 3 } }).png().toFile(join(imagesDir, `${name}.png`));
    if (labelsDir) {
      const lines = scene.boxes.map((b) => [b.classId, (b.x1 + b.x2) / 2 / size, (b.y1 + b.y2) / 2 / size, (b.x2 - b.x1) / size, (b.y2 - b.y1) / size].map((v, i) => (i === 0 ? String(v) : v.toFixed(6))).join(' '));
      writeFileSync(join(labelsDir, `${name}.txt`), lines.join('\n') + '\n');
    }
  }
}
