// The demo project offered on first start: a small real MNIST classifier (TF.js layers model
// trained by resources/demo/train-demo.ts) and real MNIST digits as calibration images, copied
// into a project under $EDGEQUANT_HOME so a newcomer can press Quantize at once.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** Creates the demo project once; later calls return its folder unchanged. */
export async function ensureDemoProject(home = edgequantHome()): Promise<string> {
  const dir = join(home, 'projects', 'mnist-demo');
  if (isProject(dir)) return dir;
  const source = demoResources();
  cpSync(join(source, 'model'), join(dir, 'model'), { recursive: true });
  cpSync(join(source, DEMO_CALIBRATION), join(dir, DEMO_CALIBRATION), { recursive: true });
  cpSync(join(source, 'eval'), join(dir, 'eval'), { recursive: true });
  initProject(dir, 'MNIST demo');
  await addModel(dir, join(dir, DEMO_MODEL), 'tfjs-layers');
  await addCalibrationSet(dir, join(dir, DEMO_CALIBRATION), DEMO_PREPROCESS);
  return dir;
}
