// The confusion matrix of a 100-class classifier on the run page, in real Chromium: a real
// TF.js layers model (100 softmax outputs, seeded weights) converted to int8 by the CLI as a
// project run over a folder of 100 class folders; the page shows the 20 most confused classes
// (10 on request) with the rest of each row under "other", and stays inside 1280 px.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi } from '../helpers/studio-page';
import type { RunRecord } from '../../src-main/projects/types';

const CLASSES = 100;
const PER_CLASS = 3;

/** A 100-way softmax over 8×8 gray images (seeded weights), saved as a TF.js layers model. */
async function writeModel(dir: string): Promise<string> {
  await tf.setBackend('cpu');
  const model = tf.sequential({ name: 'hundred' });
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'conv' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'probs' }));
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = { format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

/** 100 class folders (n000 … n099) of smooth 8×8 patterns, each class its own gradient. */
async function writeImages(dir: string): Promise<void> {
  for (let k = 0; k < CLASSES; k++) {
    const folder = join(dir, `n${String(k).padStart(3, '0')}`);
    mkdirSync(folder, { recursive: true });
    for (let j = 0; j < PER_CLASS; j++) {
      const pixels = Buffer.from(Array.from({ length: 64 }, (_, i) => Math.round(127 + 120 * Math.sin(((i % 8) * (1 + (k % 7)) + Math.floor(i / 8) * (1 + (k % 5)) + j) / 4))));
      await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(folder, `${j}.png`));
    }
  }
}

describe('A 100-class confusion matrix, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const s = e2eSession({ name: 'classify-many-classes', page: 'file' });
  const work = mkdtempSync(join(tmpdir(), 'eq-classify-100-'));
  const projectDir = join(work, 'hundred');
  let run: RunRecord;

  before(async () => {
    const model = await writeModel(join(work, 'model'));
    await writeImages(join(work, 'images'));
    const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });
    cli('project', 'init', projectDir);
    cli('convert', model, '-o', join(work, 'int8.tflite'), '--quantize', 'int8', '--calibration', join(work, 'images'), '--preprocess', '0..1', '--project', projectDir);
    const id = readdirSync(join(projectDir, 'runs')).find((f) => existsSync(join(projectDir, 'runs', f, 'run.json')))!;
    run = JSON.parse(readFileSync(join(projectDir, 'runs', id, 'run.json'), 'utf8')) as RunRecord;
  });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test('the 20 most confused of 100 classes, the rest under "other"; 10 on request; no overflow at 1280 px', async () => {
    const results = run.classification!;
    assert.equal(results.classes.length, CLASSES);
    assert.equal(results.classes[7], 'n007', 'class names from the folder names');
    assert.equal(results.labelled, run.validation!.samples);
    await openProjectInUi(s.page, s.host.url, projectDir, 'hundred');
    await openRoute(s.page, s.host.url, `#/runs/${encodeURIComponent(run.id)}`);
    await s.page.getByTestId('classification').waitFor({ timeout: 20_000 });
    const matrix = s.page.getByTestId('confusion-matrix');
    assert.match(await s.page.getByTestId('matrix-partial').innerText(), /The 20 most confused of 100 classes/);
    assert.equal(await matrix.locator('tbody tr').count(), 20);
    const columns = await matrix.locator('thead th.col').allInnerTexts();
    const rows = await matrix.locator('tbody th.row').allInnerTexts();
    assert.deepEqual(columns.slice(0, 20), rows, 'the same classes on both axes');
    // An "other" column only when a shown class's samples went to classes not shown.
    const shown = new Set(rows.map((name) => results.classes.indexOf(name)));
    const outside = results.confusion.labelVsQuant!.cells.some(([r, c]) => shown.has(r) && !shown.has(c));
    assert.deepEqual(columns.slice(20), outside ? ['other'] : []);
    // Every labelled sample of a shown class is in its row: in a drawn cell or under "other".
    const rowCounts = await matrix.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].reduce((n, td) => n + Number(td.getAttribute('data-count')), 0)));
    for (const [i, name] of rows.entries()) {
      const k = results.classes.indexOf(name);
      assert.equal(rowCounts[i], results.perClass.find((r) => r.index === k)?.samples ?? 0, `row ${name}`);
    }
    const fits = await s.page.evaluate(() => document.querySelector('main')!.scrollWidth <= document.querySelector('main')!.clientWidth);
    assert.ok(fits, 'no horizontal overflow at 1280 px');
    await s.page.getByTestId('matrix-partial').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await s.page.screenshot({ path: join(screenshotDir, 'classify-100-classes-1280.png') });
    await s.page.locator('select[name="matrix-limit"]').selectOption('10');
    await matrix.locator('tbody tr').nth(9).waitFor();
    assert.equal(await matrix.locator('tbody tr').count(), 10);
    assert.deepEqual(s.consoleErrors, []);
  });
});
