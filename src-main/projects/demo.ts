// The demo project offered on first start: a small real MNIST classifier (TF.js layers model
// trained by resources/demo/train-demo.ts) and real MNIST digits, in a project under
// $EDGEQUANT_HOME so a newcomer can press Quantize at once: a labelled image folder (digits/0 …
// digits/9) is its first calibration set, so the held-out validation share has labels and the
// run page shows accuracy, the confusion matrix and the digits whose prediction changed.
// The data comes from the build's demo folder (out/demo, the packaged app's resources/demo);
// a source checkout without a build writes it from the `mnist` package (demo-data.ts).
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { edgequantHome } from '../devices/home';
import { addCalibrationSet, addModel, initProject, updateManifest } from './project';
import { isProject } from './manifest';
import { DEMO_CALIBRATION, DEMO_DIGITS, DEMO_MODEL, DemoMissingError, isDemoFolder, loadMnist, writeDemoFolder, writeDigitFolders } from './demo-data';

export { DEMO_CALIBRATION, DEMO_DIGITS, DEMO_DIGITS_PER_CLASS, DEMO_EVAL, DEMO_MODEL, DemoMissingError } from './demo-data';
export const DEMO_PREPROCESS = '0..1';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The build's demo folder, or null in a source checkout: the packaged app's resources/demo
 * (electron-builder's extraResources), else demo/ in the build output this module was bundled
 * into (out/main/host.js or out/main/chunks/… → out/demo).
 */
export function builtDemoFolder(resourcesPath = (process as { resourcesPath?: string }).resourcesPath, from = here): string | null {
  const candidates = resourcesPath ? [join(resourcesPath, 'demo')] : [];
  for (let dir = from, i = 0; i < 3; i++, dir = dirname(dir)) candidates.push(join(dir, 'demo'));
  return candidates.find(isDemoFolder) ?? null;
}

/** resources/demo/model of a source checkout, found by walking up from this module. */
export function sourceDemoModel(from = here): string {
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'resources', 'demo', 'model');
    if (existsSync(join(candidate, 'model.json'))) return candidate;
  }
  throw new DemoMissingError(`The demo is missing from this installation (no demo folder in the app's resources or build output, no resources/demo/${DEMO_MODEL} above ${from}); rebuild the app with 'npm run build'.`);
}

/** Where the demo project lives for an app home. */
export const demoProjectDir = (home: string) => join(home, 'projects', 'mnist-demo');

// Two pages (or a double click) may ask for the demo at once: they share one creation.
const creating = new Map<string, Promise<string>>();

/**
 * Creates the demo project once; later calls return its folder, after giving a demo made by an
 * older version the parts it lacks (the labelled digits/ folder).
 */
export function ensureDemoProject(home = edgequantHome(), built: string | null = builtDemoFolder()): Promise<string> {
  const dir = demoProjectDir(home);
  if (isProject(dir) && existsSync(join(dir, DEMO_DIGITS))) return Promise.resolve(dir);
  let pending = creating.get(dir);
  if (!pending) {
    pending = (isProject(dir) ? addDigits(dir, built) : createDemoProject(dir, built)).finally(() => creating.delete(dir));
    creating.set(dir, pending);
  }
  return pending;
}

async function createDemoProject(dir: string, built: string | null): Promise<string> {
  if (isProject(dir)) return dir;
  // A source checkout writes the demo folder beside the project first, then copies it in.
  const staged = built ? null : `${dir}.partial-${process.pid}`;
  try {
    if (staged) await writeDemoFolder(staged, sourceDemoModel());
    const source = built ?? staged!;
    for (const part of ['model', DEMO_CALIBRATION, 'eval', DEMO_DIGITS]) cpSync(join(source, part), join(dir, part), { recursive: true });
  } finally {
    if (staged) rmSync(staged, { recursive: true, force: true });
  }
  initProject(dir, 'MNIST demo');
  await addModel(dir, join(dir, DEMO_MODEL), 'tfjs-layers');
  await addCalibrationSet(dir, join(dir, DEMO_DIGITS), DEMO_PREPROCESS);
  await addCalibrationSet(dir, join(dir, DEMO_CALIBRATION), DEMO_PREPROCESS);
  return dir;
}

/** A demo project from before digits/ existed gets them, registered as its first calibration set. */
async function addDigits(dir: string, built: string | null): Promise<string> {
  const target = join(dir, DEMO_DIGITS);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    if (built) cpSync(join(built, DEMO_DIGITS), partial, { recursive: true });
    else await writeDigitFolders(partial, loadMnist());
    renameSync(partial, target);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  const entry = await addCalibrationSet(dir, target, DEMO_PREPROCESS);
  // First, as in a new demo: the Quantize page starts from the first set, and its labels give accuracy.
  updateManifest(dir, (m) => {
    m.calibrationSets = [entry, ...m.calibrationSets.filter((s) => s.id !== entry.id)];
  });
  return dir;
}

/** True when `dir` is the demo project of this app home (opening it also completes an old demo). */
export const isDemoProjectDir = (dir: string, home: string) => resolve(dir) === resolve(demoProjectDir(home));

