// History in real Chromium (issue 14): runs grouped by model with a picker, charts drawn from the
// start and following the picked model and the selection, the Pareto front over the bubbles,
// human metric names, and a comparison that marks differences with their deltas. Real runs of
// two real models (the demo TF.js model and the same model as a float .tflite).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { addModelInUi, createProjectInUi, paintedPixels, quantizeDemo } from '../helpers/studio-page';

const demo = join(repoRoot, 'resources', 'demo');

/** Opaque pixels of exactly this colour (the Pareto front's green) on a canvas. */
function pixelsOf(page: Page, testId: string, [r, g, b]: [number, number, number]): Promise<number> {
  return page.getByTestId(testId).evaluate((canvas, rgb) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255) n++;
    return n;
  }, [r, g, b]);
}

describe('History grouped by model, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-history-'));
  const projectDir = join(work, 'digits');
  const floatTflite = join(work, 'digits-float.tflite');

  before(async () => {
    execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), 'convert', join(demo, 'model', 'model.json'), '-o', floatTflite, '--quantize', 'none']);
  });
  const s = e2eSession({
    name: 'workbench-history',
    page: 'file',
    setup: async (page, host) => {
      await createProjectInUi(page, host.url, projectDir);
      await addModelInUi(page, host.url, join(demo, 'model', 'model.json'));
      await addModelInUi(page, host.url, floatTflite);
      await quantizeDemo(page, host.url, { label: 'json 0..1' });
      await quantizeDemo(page, host.url, { label: 'json 0..255', preprocess: '0..255' });
      await page.getByTestId('quantize-model').selectOption(floatTflite);
      await quantizeDemo(page, host.url, { label: 'tflite 0..1' });
    },
  });

  test('opens on the latest run\'s model; charts drawn at once; the front over the bubbles; human names', async () => {
    await openRoute(s.page, s.host.url, `#/history`);
    const picker = s.page.getByTestId('history-model');
    await picker.waitFor();
    assert.equal(await picker.inputValue(), 'digits-float.tflite');
    assert.equal(await s.page.getByTestId('runs-table').locator('tbody tr').count(), 1, 'only that model\'s run');
    await s.page.getByTestId('chart-scatter').waitFor({ timeout: 10_000 });
    await s.page.getByTestId('chart-time').waitFor({ timeout: 10_000 });
    await s.page.waitForTimeout(300);
    assert.ok((await paintedPixels(s.page, 'chart-scatter')) > 500);
    assert.ok((await paintedPixels(s.page, 'chart-time')) > 500, 'the metric chart starts with a metric the runs have');
    // One run: the front is that point, drawn over its bubble (pure green shows through).
    assert.ok((await pixelsOf(s.page, 'chart-scatter', [0x16, 0xa3, 0x4a])) > 5, 'the Pareto front is drawn above the bubbles');
    const options = await s.page.getByTestId('history-metric').locator('option').allInnerTexts();
    assert.ok(options.includes('SQNR against float (dB)'), options.join(', '));
    for (const raw of ['sqnrDb', 'sourceBytes', 'sizeBytes', 'floatTfliteBytes']) assert.ok(!options.includes(raw), `no raw key ${raw}`);
    assert.equal(await s.page.getByTestId('history-metric').inputValue(), 'sqnrDb');
    const header = await s.page.getByTestId('runs-table').locator('thead').innerText();
    assert.match(header, /Top-1 agreement with float/, 'no labels: the column is agreement, not accuracy');
    assert.doesNotMatch(header, /Accuracy/);
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-history-model.png') });
  });

  test('picking the other model: its runs only, the charts follow', async () => {
    // The over-time chart: the other model has two runs (a line) where this one has one point.
    // (Its scatter may look the same: every demo run is 6.92 KiB, ~0.02 ms and 100% agreement.)
    const before = await paintedPixels(s.page, 'chart-time');
    await s.page.getByTestId('history-model').selectOption('model.json');
    const rows = s.page.getByTestId('runs-table').locator('tbody tr');
    await s.page.waitForTimeout(300);
    assert.equal(await rows.count(), 2);
    assert.match(await s.page.locator('figcaption').first().innerText(), /model\.json/);
    // chart.js redraws on its next animation frame, later still on a loaded machine: poll.
    let after = before;
    for (const deadline = Date.now() + 10_000; after === before && Date.now() < deadline; await s.page.waitForTimeout(200)) after = await paintedPixels(s.page, 'chart-time');
    assert.ok(after > before, `the over-time chart was redrawn with the other model's two runs (${before} → ${after} painted pixels)`);
  });

  test('compare marks what differs, with deltas against the first run', async () => {
    const rows = s.page.getByTestId('runs-table').locator('tbody tr');
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    await s.page.getByRole('button', { name: 'Compare 2 selected' }).click();
    const table = s.page.getByTestId('compare-table');
    await table.waitFor();
    const preprocessing = table.locator('tr', { hasText: 'Preprocessing' });
    assert.equal(await preprocessing.locator('td.diff').count(), 1, 'the preprocessing differs and is marked');
    assert.equal(await table.locator('tr', { hasText: 'Mode' }).locator('td.diff').count(), 0, 'the same mode is not marked');
    const sqnr = await table.locator('tr', { hasText: 'SQNR against float' }).innerText();
    assert.match(sqnr, /\([+-][\d.]+ dB\)/, `SQNR delta shown: ${sqnr}`);
    // Sizes with 3 significant figures (6.93 KiB, not 6.9 KiB), as everywhere in the Studio.
    const size = await table.locator('tr', { hasText: 'Size of the .tflite' }).innerText();
    const sizes = size.match(/[\d.]+ (?:B|KiB|MiB)/g) ?? [];
    assert.ok(sizes.length >= 2 && sizes.every((s) => /^(?:\d{3}|\d{2}\.\d|\d\.\d\d) (?:KiB|MiB)$|^\d+ B$/.test(s)), `3 significant figures: ${size}`);
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-history-compare.png'), fullPage: true });
    assert.deepEqual(s.consoleErrors, []);
  });
});
