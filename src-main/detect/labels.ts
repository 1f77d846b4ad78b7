// Ground truth in YOLO txt format (one `IMAGE.txt` per image; a line `class cx cy w h`, all
// normalised to 0..1) and class names (one per line).
import { readFile, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Detection } from './boxes';
import { DetectInputError } from './errors';

/** Truth boxes of every label file in `dir`, keyed by file stem, normalised (0..1). */
export async function readYoloLabels(dir: string): Promise<Map<string, Detection[]>> {
  const names = await readdir(dir).catch(() => {
    throw new DetectInputError(`Labels folder not found: ${dir} (give --labels a folder of YOLO .txt files).`);
  });
  const labels = new Map<string, Detection[]>();
  for (const name of names.filter((n) => extname(n).toLowerCase() === '.txt').sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    const boxes = text.split(/\r?\n/).map((line, i) => ({ line: line.trim(), i })).filter((l) => l.line).map(({ line, i }) => {
      const parts = line.split(/\s+/).map(Number);
      if (parts.length < 5 || parts.some((v) => !Number.isFinite(v)) || !Number.isInteger(parts[0])) {
        throw new DetectInputError(`${name} line ${i + 1}: expected 'class cx cy w h' (normalised), got '${line}'.`);
      }
      const [c, cx, cy, w, h] = parts as [number, number, number, number, number];
      return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: 1, classId: c };
    });
    labels.set(basename(name, extname(name)), boxes);
  }
  return labels;
}

/** Normalised boxes → input pixels (images are resized to the input, so 0..1 spans it). */
export const toPixels = (boxes: Detection[], width: number, height: number): Detection[] =>
  boxes.map((b) => ({ ...b, x1: b.x1 * width, y1: b.y1 * height, x2: b.x2 * width, y2: b.y2 * height }));

/** The label stem of a sample source (an image path or file name). */
export const sampleStem = (source: string) => basename(source, extname(source));

export async function readClassNames(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new DetectInputError(`Classes file not found: ${file} (give --classes a text file, one class name per line).`);
  });
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}
