// The Debug view end to end in real Chromium against the built browser host and the real
// engine: an int8 run of the demo MNIST CNN (recorded beforehand through the project job), its
// Debug view measured by the project-debug job (per-layer table with both error kinds), reopened
// from the saved debug.json, "Keep float" on the worst layer → a new run, and History's
// comparison of the two runs showing the change. Screenshots in light and dark.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi } from '../helpers/studio-page';
import { DEMO_EVAL, ensureDemoProject } from '../../src-main/projects/demo';
import { runProjectConvert } from '../../src-main/app/convert-run';
import { readRun } from '../../src-main/projects/index';
import { fileSizeChange } from '../../src-renderer/lib/file-size';

const dbOf = (text: string) => Number(/(-?[\d.]+) dB/.exec(text)?.[1]);

async function setTheme(page: Page, theme: 'light' | 'dark') {
  const toggle = page.getByRole('button', { name: /Change theme/ });
  for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset.theme)) !== theme; i++) await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
}

describe('Debug view in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-debug-view-'));
  let dir = '';
  let baseId = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
    const base = await runProjectConvert(
      {
        project: dir,
        label: 'int8 base',
        request: {
          model: join(dir, 'model', 'model.json'),
          output: join(dir, 'x.tflite'),
          quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 50, method: 'minmax', seed: 0 } },
        },
        evaluateData: join(dir, DEMO_EVAL.data),
        evaluateLabels: join(dir, DEMO_EVAL.labels),
        benchRuns: 0,
      },
      () => undefined,
    );
    baseId = base.id;
  });
  const s = e2eSession({ name: 'debug-view', page: 'file', setup: (page, host) => openProjectInUi(page, host.url, dir, 'MNIST demo') });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test("debug a run: the per-layer table with both error kinds, sortable, saved with the run", async () => {
    await openRoute(s.page, s.host.url, `#/debug?run=${baseId}`);
    await s.page.getByTestId('debug-empty').waitFor({ timeout: 20_000 });
    await s.page.getByRole('button', { name: 'Debug this run' }).click();
    const table = s.page.getByTestId('debug-table');
    await table.waitFor({ timeout: 120_000 });
    const rows = table.locator('tbody tr');
    const count = await rows.count();
    assert.ok(count >= 4, `${count} layers`);
    const acc = (await table.getByTestId('acc-sqnr').allInnerTexts()).map(dbOf);
    const iso = (await table.getByTestId('iso-sqnr').allInnerTexts()).map(dbOf);
    assert.ok(acc.every(Number.isFinite) && iso.every(Number.isFinite), `accumulated ${acc} isolated ${iso}`);
    const head = await table.locator('thead').innerText();
    assert.match(head, /tflite-node|ir-interpreter/, 'each error kind names its engine');
    await s.page.getByText(/rounds as tflite-node does/).waitFor({ timeout: 5_000 }); // the note says how far the interpreter's figures stand for the runtime's
    assert.equal(await table.locator('tr.worst').count(), 1, 'the worst layer is marked');
    await table.getByRole('button', { name: /Isolated SQNR/ }).click();
    const sorted = (await table.getByTestId('iso-sqnr').allInnerTexts()).map(dbOf);
    assert.deepEqual(sorted, [...sorted].sort((a, b) => a - b), 'sorted worst (lowest) first');
    assert.ok(readRun(dir, baseId).artifacts.some((a) => a.name === 'debug.json'), 'debug.json saved with the run');
    await setTheme(s.page, 'light');
    await s.page.screenshot({ path: join(screenshotDir, 'debug-view-light.png'), fullPage: false });
    await setTheme(s.page, 'dark');
    await s.page.screenshot({ path: join(screenshotDir, 'debug-view-dark.png'), fullPage: false });
    await setTheme(s.page, 'light');
    // Reopening reads debug.json: the table is there without a new job.
    await s.page.reload();
    await table.waitFor({ timeout: 20_000 });
    assert.equal(await s.page.getByTestId('debug-status').count(), 0, 'no debug job ran on reopen');
    assert.equal(await table.locator('tbody tr').count(), count);
  });

  test('"Keep float" on the worst layer: a new run, compared with the first in History', async () => {
    const worst = s.page.getByTestId('debug-table').locator('tr.worst');
    const node = await worst.getAttribute('data-node');
    await worst.getByRole('button', { name: 'Keep float' }).click();
    await s.page.getByTestId('keep-status').waitFor();
    const compare = s.page.getByTestId('compare-table');
    await compare.waitFor({ timeout: 180_000 });
    assert.match(s.page.url(), new RegExp(`#/history\\?compare=[^,]+,${baseId}`));
    const runs = await s.page.getByTestId('runs-table').locator('tbody tr').count();
    assert.equal(runs, 2, 'the new run is listed');
    const text = await compare.innerText();
    assert.match(text, /int8 base \+ keep float/);
    const kept = /Kept float\t([^\t\n]+)\t–/.exec(text);
    assert.ok(kept, text);
    const newId = decodeURIComponent(/compare=([^,]+)/.exec(s.page.url())![1]!);
    const [after, before] = [readRun(dir, newId), readRun(dir, baseId)];
    assert.deepEqual(after.config.request?.quantize.keepFloat, [kept[1]]);
    const sqnrRow = /SQNR against float \(dB\)\t(-?[\d.]+) dB\t(-?[\d.]+) dB/.exec(text);
    const sizeRow = /Size of the \.tflite\t([\d.]+) KiB\t([\d.]+) KiB/.exec(text);
    assert.ok(sqnrRow && sizeRow, text);
    console.log(`keep float ${node}: SQNR ${before.metrics.sqnrDb?.toFixed(2)} → ${after.metrics.sqnrDb?.toFixed(2)} dB, size ${before.metrics.sizeBytes} → ${after.metrics.sizeBytes} B`);
    assert.notEqual(after.metrics.sizeBytes, before.metrics.sizeBytes, 'keeping a layer float changes the file');
    assert.notEqual(sqnrRow[1], sqnrRow[2], 'and the measured SQNR');
    const change = await s.page.getByTestId('compare-change').innerText();
    const dSqnr = (after.metrics.sqnrDb! - before.metrics.sqnrDb!).toFixed(2);
    const dSize = after.metrics.sizeBytes! - before.metrics.sizeBytes!;
    assert.ok(change.includes(`SQNR ${Number(dSqnr) >= 0 ? '+' : '−'}${Math.abs(Number(dSqnr)).toFixed(2)} dB`), change);
    assert.ok(change.includes(`size ${fileSizeChange(dSize)}`), change);
    await compare.evaluate((el) => el.scrollIntoView());
    await s.page.screenshot({ path: join(screenshotDir, 'debug-keep-float-compare.png'), fullPage: true });
    await setTheme(s.page, 'dark');
    await s.page.screenshot({ path: join(screenshotDir, 'debug-keep-float-compare-dark.png'), fullPage: true });
    await setTheme(s.page, 'light');
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
