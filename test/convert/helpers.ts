// Shared by the conversion tests: fixture paths, real photos decoded with sharp, a real
// TFLite runtime, and the comparison metrics (SQNR, top-1).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertModel, type ConvertOutcome } from '../../src-main/convert/pipeline';
import type { ConvertRequest } from '../../src-main/convert/types';
import { getRuntime } from '../../src-main/runtime/index';
import type { RuntimeName } from '../../src-main/runtime/types';
import { ErrorAccumulator } from '../../src-main/validation/sqnr';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
export const hasFixtures = existsSync(FIXTURES);
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);

export function tempDir(prefix = 'edgequant-convert-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Photos sharp can decode (png/jpeg) from the fixture image folders, sorted. */
export function photoFiles(): string[] {
  const dirs = ['photos', 'coral', 'litert_224'];
  return dirs.flatMap((d) =>
    readdirSync(fixture('images', d))
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort()
      .map((f) => fixture('images', d, f)),
  );
}

/** RGB photo resized (cover) to size×size, NHWC float32 times `scale`. */
export async function loadPhoto(path: string, size: number, scale = 1 / 255, offset = 0): Promise<Float32Array> {
  const { data } = await sharp(readFileSync(path)).removeAlpha().resize(size, size, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = data[i]! * scale + offset;
  return out;
}

export function float(model: string, output: string, extra: Partial<ConvertRequest> = {}): ConvertRequest {
  return { model, output, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false }, ...extra };
}

export async function convertTo(dir: string, model: string, extra: Partial<ConvertRequest> = {}): Promise<ConvertOutcome> {
  return convertModel(float(model, join(dir, 'out.tflite'), extra));
}

/** Runs a .tflite on each sample (one input) in a fresh state; returns the first output of each. */
export async function runTflite(bytes: Uint8Array, samples: Float32Array[], runtime: RuntimeName = 'litert-js'): Promise<Float32Array[]> {
  const model = await getRuntime(runtime).load(bytes);
  try {
    const outs: Float32Array[] = [];
    for (const s of samples) {
      await model.reset();
      const [o] = await model.run([s]);
      outs.push(Float32Array.from(o as Float32Array));
    }
    return outs;
  } finally {
    model.dispose();
  }
}

/** SQNR in dB of `test` against `ref` over all samples (the engine's one definition); Infinity when identical. */
export function sqnrDb(ref: Float32Array[], test: Float32Array[]): number {
  const acc = new ErrorAccumulator();
  ref.forEach((r, k) => {
    const t = test[k]!;
    if (t.length !== r.length) throw new Error(`output length ${t.length} != ${r.length}`);
    acc.add(r, t);
  });
  return acc.sqnrDb;
}

export function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

export function top1Agreement(ref: Float32Array[], test: Float32Array[]): number {
  return ref.filter((r, k) => argmax(r) === argmax(test[k]!)).length / ref.length;
}
