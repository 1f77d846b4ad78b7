// Classification results on the run page, in real Chromium against the built browser host and
// the real engine: the MNIST demo (created on first start, with its labelled digits/0…9 folder)
// quantized to int8 on the Quantize page and validated on the held-out 20%; the run page shows
// the confusion matrix (10×10, digit names, counts summing to the held-out count), the per-class
// table and the changed-prediction gallery (its empty state when nothing changed; thumbnails
// after a run calibrated on 2 digits, where some predictions do change).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import type { RunRecord } from '../../src-main/projects/types';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

describe('Classification results of the MNIST demo, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const home = mkdtempSync(join(tmpdir(), 'eq-classify-'));
  const s = e2eSession({ name: 'classify-results', page: 'file', host: { env: { HOME: home, EDGEQUANT_HOME: join(home, '.edgequant') } } });
  const demoDir = join(home, '.edgequant', 'projects', 'mnist-demo');
  const runRecord = (id: string) => JSON.parse(readFileSync(join(demoDir, 'runs', id, 'run.json'), 'utf8')) as RunRecord;

  after(async () => {
    rmSync(home, { recursive: true, force: true });
  });

  /** An int8 run of the demo on its labelled digits, validated on the held-out share; returns the run id. */
  async function quantizeHeldOut(label: string, samples: number, folder = 'digits'): Promise<string> {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    if (folder === 'digits') assert.equal(await s.page.locator('input[name="calibration"]').inputValue(), join(demoDir, 'digits'), 'the demo calibrates on its labelled digits');
    await s.page.locator('input[name="calibration"]').fill(join(demoDir, folder));
    await s.page.locator('input[name="samples"]').fill(String(samples));
    await s.page.locator('input[name="eval-data"]').fill('');
    await s.page.locator('input[name="eval-labels"]').fill('');
    await s.page.locator('input[name="label"]').fill(label);
    assert.match(await s.page.getByTestId('validation-hint').innerText(), /20% of the calibration data is held out/);
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    const open = s.page.getByTestId('open-run');
    await open.waitFor({ timeout: 240_000 });
    const id = decodeURIComponent((await open.getAttribute('href'))!.replace('#/runs/', ''));
    await open.click();
    await s.page.getByTestId('classification').waitFor({ timeout: 20_000 });
    return id;
  }

  /** The matrix as drawn: column names, row names and every cell's count. */
  async function drawnMatrix() {
    const matrix = s.page.getByTestId('confusion-matrix');
    const columns = await matrix.locator('thead th.col').allInnerTexts();
    const rows = await matrix.locator('tbody th.row').allInnerTexts();
    const counts = (await matrix.locator('tbody td.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))))) as number[];
    return { kind: await matrix.getAttribute('data-kind'), columns, rows, counts };
  }

  test('the demo has a labelled digit folder; an int8 run shows a 10×10 confusion matrix over the held-out digits and per-class accuracy', async () => {
    await openRoute(s.page, s.host.url, '#/projects');
    await s.page.getByTestId('current-project').getByRole('heading', { name: 'MNIST demo' }).waitFor({ timeout: 60_000 });
    for (const d of DIGITS) assert.ok(existsSync(join(demoDir, 'digits', d)), `digits/${d}`);
    const id = await quantizeHeldOut('int8 digits', 100);
    const run = runRecord(id);
    const results = run.classification!;
    assert.ok(results, 'the run record keeps the classification results');
    assert.equal(run.validation?.heldOut, true);
    assert.equal(run.validation?.samples, 80, '20% of 400 digits');
    assert.equal(results.labelled, 80);

    // Labelled: the matrix opens on labels vs quantized.
    const labels = await drawnMatrix();
    assert.equal(labels.kind, 'labelVsQuant');
    assert.deepEqual(labels.columns, DIGITS);
    assert.deepEqual(labels.rows, DIGITS);
    assert.equal(labels.counts.length, 100);
    assert.equal(labels.counts.reduce((a, b) => a + b, 0), 80, 'counts sum to the held-out count');
    const diagonal = labels.counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    assert.equal(diagonal / 80, results.quantAccuracy, 'the diagonal is the quantized accuracy');
    assert.match(await s.page.getByTestId('classification-summary').innerText(), new RegExp(`float ${(results.floatAccuracy! * 100).toFixed(1)}%, quantized ${(results.quantAccuracy! * 100).toFixed(1)}%`));

    await s.page.getByRole('tab', { name: 'Float vs quantized' }).click();
    const agreement = await drawnMatrix();
    assert.equal(agreement.kind, 'floatVsQuant');
    assert.equal(agreement.counts.reduce((a, b) => a + b, 0), 80);
    assert.equal(agreement.counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0) / 80, results.agreement);

    // Per class: ten digits, 8 held-out samples each (the split is stratified), accuracy of both models.
    const table = s.page.getByTestId('per-class-table');
    assert.equal(await table.locator('tbody tr').count(), 10);
    for (const row of results.perClass) {
      const cells = await table.locator(`tbody tr[data-class="${row.name}"] td`).allInnerTexts();
      assert.deepEqual(cells.slice(0, 4), [row.name, '8', `${(row.floatAccuracy! * 100).toFixed(1)}%`, `${(row.quantAccuracy! * 100).toFixed(1)}%`]);
    }

    // The gallery: its honest empty state when no prediction changed, else one entry per shown sample.
    if (results.changed.total === 0) assert.match(await s.page.getByTestId('changed-empty').innerText(), /No sample changed its top-1 class/);
    else assert.equal(await s.page.getByTestId('changed-sample').count(), results.changed.shown.length);
    const fits = await s.page.evaluate(() => document.querySelector('main')!.scrollWidth <= document.querySelector('main')!.clientWidth);
    assert.ok(fits, 'no horizontal overflow at 1280 px');
    await s.page.getByTestId('classification').screenshot({ path: join(screenshotDir, 'classify-results-1280.png') });
    await s.page.screenshot({ path: join(screenshotDir, 'classify-run-page-1280.png'), fullPage: true });
  });

  test('calibrated on 2 digits, predictions change: the gallery shows each with thumbnail, label and both classes; deltas are highlighted', async () => {
    const id = await quantizeHeldOut('int8 on 2 digits', 2);
    const results = runRecord(id).classification!;
    assert.ok(results.changed.total > 0, `some predictions change (agreement ${results.agreement})`);
    const shown = results.changed.shown;
    const gallery = s.page.getByTestId('changed-gallery');
    await gallery.waitFor();
    assert.equal(await s.page.getByTestId('changed-sample').count(), shown.length);
    assert.match(await s.page.getByTestId('changed-count').innerText(), new RegExp(`^${results.changed.total} of 80 samples changed`));
    const first = s.page.getByTestId('changed-sample').first();
    const text = await first.innerText();
    assert.ok(text.includes(shown[0]!.file!), `the sample's path inside the folder: ${text}`);
    assert.match(text, new RegExp(`label ${shown[0]!.label}`));
    assert.match(text, new RegExp(`float ${shown[0]!.float.index} ${(shown[0]!.float.prob * 100).toFixed(1)}%`));
    assert.match(text, new RegExp(`quant\\. ${shown[0]!.quant.index} ${(shown[0]!.quant.prob * 100).toFixed(1)}%`));
    // Thumbnails (the digit as the model saw it) arrive through the API and are decoded images.
    await s.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="changed-sample"] img')].length > 0 && [...document.querySelectorAll<HTMLImageElement>('[data-testid="changed-sample"] img')].every((i) => i.complete && i.naturalWidth === 28));
    assert.equal(await gallery.locator('img').count(), shown.length);
    // A class whose accuracy changed is highlighted in the table.
    const changedClass = results.perClass.find((r) => r.floatAccuracy !== r.quantAccuracy);
    if (changedClass) {
      const kind = changedClass.quantAccuracy! < changedClass.floatAccuracy! ? 'worse' : 'better';
      assert.equal(await s.page.getByTestId('per-class-table').locator(`tbody tr[data-class="${changedClass.name}"] .delta`).getAttribute('data-delta'), kind);
    }
    await s.page.getByTestId('classification').screenshot({ path: join(screenshotDir, 'classify-changed-1280.png') });
    await s.page.locator('select[name="class-order"]').selectOption('delta');
    const toggle = s.page.getByRole('button', { name: /Change theme/ });
    for (let i = 0; i < 3 && (await s.page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark'; i++) await toggle.click();
    await s.page.getByTestId('classification').screenshot({ path: join(screenshotDir, 'classify-changed-dark.png') });
    await s.page.setViewportSize({ width: 1920, height: 1080 });
    await s.page.screenshot({ path: join(screenshotDir, 'classify-run-page-1920-dark.png'), fullPage: true });
    assert.deepEqual(s.consoleErrors, []);
  });

  test('without labels (a flat image folder): agreement only, float vs quantized, per float class', async () => {
    const id = await quantizeHeldOut('int8 unlabelled', 100, 'calibration');
    const results = runRecord(id).classification!;
    assert.equal(results.labelled, 0);
    assert.equal(results.floatAccuracy, null);
    assert.equal(await s.page.getByRole('tab', { name: 'Labels vs quantized' }).count(), 0, 'no label matrices without labels');
    const matrix = s.page.getByTestId('confusion-matrix');
    assert.equal(await matrix.getAttribute('data-kind'), 'floatVsQuant');
    const counts = (await matrix.locator('tbody td.cell').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))))) as number[];
    assert.equal(counts.reduce((a, b) => a + b, 0), 20, '20% of the 100 flat calibration digits');
    assert.match(await s.page.getByTestId('classification-summary').innerText(), /No labels: .* \(agreement, not accuracy\)/);
    assert.match(await s.page.getByTestId('per-class-table').locator('thead').innerText(), /Float class/);
    assert.deepEqual(s.consoleErrors, []);
  });
});
