// The demo in an installed app: the build writes its data into out/demo (the `mnist` package is a
// devDependency, absent from a packaged app), electron-builder ships it as resources/demo, and
// the demo project is made from there; a demo made before digits/ existed gets them on open.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEMO_DIGITS, DEMO_DIGITS_PER_CLASS, DEMO_EVAL, isDemoFolder } from '../../src-main/projects/demo-data';
import { builtDemoFolder, demoProjectDir, ensureDemoProject } from '../../src-main/projects/demo';
import { createProjectHandlers } from '../../src-main/projects/api-handlers';
import { readManifest, updateManifest } from '../../src-main/projects/project';
import { parseNpy } from '../../src-main/data/npy';
import { ensureBuilt, repoRoot } from '../helpers/build';

const work = mkdtempSync(join(tmpdir(), 'eq-demo-build-'));
after(() => rmSync(work, { recursive: true, force: true }));
const out = join(repoRoot, 'out', 'demo');

function assertDemoParts(dir: string): void {
  assert.equal(readdirSync(join(dir, 'calibration')).filter((f) => f.endsWith('.png')).length, 100, `${dir}: 100 calibration digits`);
  for (let d = 0; d < 10; d++) assert.equal(readdirSync(join(dir, DEMO_DIGITS, String(d))).length, DEMO_DIGITS_PER_CLASS, `${dir}: digits/${d}`);
  assert.deepEqual(parseNpy(readFileSync(join(dir, DEMO_EVAL.data))).shape, [300, 28, 28, 1]);
  assert.deepEqual(parseNpy(readFileSync(join(dir, DEMO_EVAL.labels))).shape, [300]);
}

test('the build output holds the demo: the model and the MNIST digits written from the mnist package', async () => {
  await ensureBuilt();
  assert.ok(isDemoFolder(out), `${out} is a complete demo folder`);
  assert.deepEqual(readFileSync(join(out, 'model', 'model.json')), readFileSync(join(repoRoot, 'resources', 'demo', 'model', 'model.json')));
  assertDemoParts(out);
  // The built main process finds it from its own folder (out/main, out/main/chunks), no resources path.
  assert.equal(builtDemoFolder(undefined, join(repoRoot, 'out', 'main', 'chunks')), out);
  assert.equal(builtDemoFolder(undefined, join(repoRoot, 'src-main', 'projects')), null, 'a source checkout has no built demo next to it');
});

test('a packaged layout: the demo is found in resources/demo and the project is made from it', async () => {
  await ensureBuilt();
  // As electron-builder lays it out: <app>/resources/app.asar/out/main/… and <app>/resources/demo.
  const resources = join(work, 'app', 'resources');
  cpSync(out, join(resources, 'demo'), { recursive: true });
  const asarMain = join(resources, 'app.asar', 'out', 'main');
  mkdirSync(asarMain, { recursive: true });
  const found = builtDemoFolder(resources, asarMain);
  assert.equal(found, join(resources, 'demo'));
  // An incomplete folder (no stamp: an interrupted copy) is not taken.
  assert.equal(builtDemoFolder(join(work, 'empty-resources'), asarMain), null);

  const home = join(work, 'packaged-home');
  const dir = await ensureDemoProject(home, found);
  assertDemoParts(dir);
  const manifest = readManifest(dir);
  assert.deepEqual(manifest.calibrationSets.map((s) => s.path), [DEMO_DIGITS, 'calibration'], 'the labelled digits come first');
  assert.equal(manifest.models[0]!.path, 'model/model.json');
});

test('an old demo project without digits/ gets them when it is opened', async () => {
  const home = join(work, 'old-home');
  const dir = await ensureDemoProject(home, existsSync(out) && isDemoFolder(out) ? out : null);
  // As a demo made before the digits existed: no folder, no calibration set for it.
  rmSync(join(dir, DEMO_DIGITS), { recursive: true });
  updateManifest(dir, (m) => {
    m.calibrationSets = m.calibrationSets.filter((s) => s.path !== DEMO_DIGITS);
  });
  assert.equal(dir, demoProjectDir(home));
  const view = await createProjectHandlers(() => home)['projects.open']({ dir });
  for (let d = 0; d < 10; d++) assert.equal(readdirSync(join(dir, DEMO_DIGITS, String(d))).length, DEMO_DIGITS_PER_CLASS, `digits/${d}`);
  assert.deepEqual(view.manifest.calibrationSets.map((s) => s.path), [DEMO_DIGITS, 'calibration']);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial')), [], 'no partial folder left');
});
