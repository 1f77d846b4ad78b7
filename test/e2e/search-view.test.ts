// The Search page end to end in real Chromium against the built browser host and the real
// engine, on the demo MNIST CNN: pick the budget and candidates, start; each candidate appears in
// the chart and the table as it is measured, the recommended one is highlighted with a link to its
// run page, the runs are in History, and the form and results are still there after leaving the
// page. A budget nothing can meet gets the honest answer. Screenshots in light and dark.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi, paintedPixels } from '../helpers/studio-page';
import { ensureDemoProject } from '../../src-main/projects/demo';
import { listRuns } from '../../src-main/projects/index';

async function setTheme(page: Page, theme: 'light' | 'dark') {
  const toggle = page.getByRole('button', { name: /Change theme/ });
  for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset.theme)) !== theme; i++) await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
}

/** Leaves only these candidates ticked. */
async function pickCandidates(page: Page, kinds: string[]) {
  for (const kind of ['fp16', 'dynamic', 'int8', 'int8-gptq', 'int16x8', 'int8-mixed']) await page.locator(`input[name="candidate-${kind}"]`).setChecked(kinds.includes(kind));
}

describe('Search view in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-search-view-'));
  let dir = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
  });
  const s = e2eSession({ name: 'search-view', page: 'file', setup: (page, host) => openProjectInUi(page, host.url, dir, 'MNIST demo') });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test('search sqnr>=30 over fp16, dynamic and int8: candidates appear in the chart and table, the recommended run opens, runs land in History', async () => {
    await openRoute(s.page, s.host.url, '#/search');
    await s.page.getByRole('heading', { name: /Search under an accuracy budget/ }).waitFor();
    assert.match(await s.page.locator('input[name="search-data"]').inputValue(), /eval\/x\.npy$/, 'the demo\'s held-out digits by default');
    await s.page.getByRole('radio', { name: /Top-1 agreement/ }).check();
    assert.equal(await s.page.getByTestId('search-budget').innerText(), 'agreement>=99%');
    await s.page.getByRole('radio', { name: /SQNR against float/ }).check();
    await s.page.locator('input[name="search-threshold"]').fill('30');
    assert.equal(await s.page.getByTestId('search-budget').innerText(), 'sqnr>=30');
    await pickCandidates(s.page, []);
    assert.equal(await s.page.getByTestId('search-missing').innerText(), 'To start, tick at least one candidate.');
    assert.equal(await s.page.getByRole('button', { name: 'Start search' }).isDisabled(), true);
    await pickCandidates(s.page, ['fp16', 'dynamic', 'int8']);
    await s.page.getByRole('button', { name: 'Start search' }).click();
    await s.page.getByTestId('search-status').waitFor();
    const table = s.page.getByTestId('search-table');
    // The first candidate shows while the others are still measured.
    await table.locator('tbody tr').first().waitFor({ timeout: 120_000 });
    await s.page.getByTestId('search-verdict').waitFor({ timeout: 240_000 });
    const ids = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-candidate')));
    assert.deepEqual(ids, ['fp16', 'dynamic', 'int8']);
    assert.ok((await paintedPixels(s.page, 'search-chart')) > 500, 'the chart is drawn');
    const verdict = await s.page.getByTestId('search-verdict').innerText();
    console.log(verdict);
    const recommended = table.locator('tr.recommended');
    assert.equal(await recommended.count(), 1, 'one recommended candidate');
    assert.match(verdict, /is the smallest that meets sqnr>=30/);
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).innerText));
    for (const row of cells) assert.match(row, /\t(met|not met)\t/, row);
    await setTheme(s.page, 'light');
    await s.page.screenshot({ path: join(screenshotDir, 'search-view-form-light.png') });
    // The page scrolls inside <main>: bring the chart and the table into view.
    await s.page.getByTestId('search-verdict').evaluate((el) => el.scrollIntoView());
    await s.page.screenshot({ path: join(screenshotDir, 'search-view-light.png') });
    await setTheme(s.page, 'dark');
    await s.page.screenshot({ path: join(screenshotDir, 'search-view-dark.png') });
    await setTheme(s.page, 'light');

    // Leave and come back: the form and the candidates are kept.
    await openRoute(s.page, s.host.url, '#/history');
    const runsTable = s.page.getByTestId('runs-table');
    await runsTable.waitFor();
    const labels = await runsTable.locator('tbody tr').allInnerTexts();
    assert.equal(labels.filter((t) => t.includes('search (sqnr>=30)')).length, 3, labels.join('\n'));
    assert.equal(listRuns(dir).filter((r) => r.label?.startsWith('search (sqnr>=30)') && r.status === 'succeeded').length, 3);
    await openRoute(s.page, s.host.url, '#/search');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 3);
    assert.equal(await s.page.locator('input[name="candidate-int16x8"]').isChecked(), false, 'the form is kept');

    const link = recommended.getByRole('link', { name: 'open run' });
    const href = await link.getAttribute('href');
    await link.click();
    await s.page.getByTestId('run-summary').waitFor({ timeout: 20_000 });
    assert.equal(decodeURIComponent(new URL(s.page.url()).hash), decodeURIComponent(href!));
    assert.match(await s.page.getByRole('heading', { level: 1 }).innerText(), /search \(sqnr>=30\)/);
  });

  test('a budget nothing meets: the honest answer, no recommendation', async () => {
    await openRoute(s.page, s.host.url, '#/search');
    await s.page.locator('input[name="search-threshold"]').fill('200');
    await pickCandidates(s.page, ['fp16', 'int8']);
    await s.page.getByRole('button', { name: 'Start search' }).click();
    const verdict = s.page.getByTestId('search-verdict');
    await s.page.waitForFunction(() => document.querySelector('[data-testid="search-verdict"]')?.textContent?.includes('sqnr>=200'), undefined, { timeout: 240_000 });
    const text = await verdict.innerText();
    assert.match(text, /^Nothing meets sqnr>=200/);
    assert.match(await s.page.getByTestId('search-closest').innerText(), /^Closest: FP16 weights at [\d.]+ dB/, 'names the closest candidate');
    assert.equal(await s.page.getByTestId('search-table').locator('tr.recommended').count(), 0);
    assert.equal(await s.page.getByTestId('search-table').locator('td.unmet').count(), 2);
    await verdict.evaluate((el) => el.scrollIntoView());
    await s.page.screenshot({ path: join(screenshotDir, 'search-view-none.png') });
  });

  test('cancel keeps what was measured: the candidates shown stay, each a succeeded run', async () => {
    await openRoute(s.page, s.host.url, '#/search');
    await s.page.locator('input[name="search-threshold"]').fill('150');
    // Every candidate, under a budget none meets: the search would go on to rank layers and mix.
    await pickCandidates(s.page, ['fp16', 'dynamic', 'int8', 'int8-gptq', 'int16x8', 'int8-mixed']);
    await s.page.getByRole('button', { name: 'Start search' }).click();
    const rows = s.page.getByTestId('search-table').locator('tbody tr');
    await s.page.waitForFunction(() => document.querySelector('[data-testid="search-table"] tbody tr[data-candidate="fp16"]') !== null && !document.querySelector('[data-testid="search-verdict"]')?.textContent?.includes('sqnr>=150'), undefined, { timeout: 120_000 });
    await s.page.getByRole('button', { name: 'Cancel search' }).click();
    const status = s.page.getByTestId('search-status');
    await s.page.waitForFunction(() => /^Cancelled/.test(document.querySelector('[data-testid="search-status"]')?.textContent?.trim() ?? ''), undefined, { timeout: 60_000 });
    const shown = await rows.count();
    assert.ok(shown >= 1 && shown < 6, `${shown} candidates measured before the cancel`);
    assert.match(await status.innerText(), new RegExp(`the ${shown} candidate\\(s\\) measured so far are kept as runs`));
    assert.equal(await s.page.getByTestId('search-verdict').count(), 0, 'no verdict for a search that did not finish');
    const runs = listRuns(dir).filter((r) => r.label?.startsWith('search (sqnr>=150)'));
    assert.equal(runs.length, shown, runs.map((r) => `${r.label} ${r.status}`).join(', '));
    assert.ok(runs.every((r) => r.status === 'succeeded'));
    await s.page.screenshot({ path: join(screenshotDir, 'search-view-cancelled.png') });
  });

  test('an accuracy-drop budget without labels fails with a reason in the page\'s words', async () => {
    await openRoute(s.page, s.host.url, '#/search');
    await s.page.getByRole('radio', { name: /Accuracy drop/ }).check();
    await s.page.locator('input[name="search-labels"]').fill('');
    await pickCandidates(s.page, ['fp16']);
    await s.page.getByRole('button', { name: 'Start search' }).click();
    await s.page.waitForFunction(() => /^Failed/.test(document.querySelector('[data-testid="search-status"]')?.textContent?.trim() ?? ''), undefined, { timeout: 120_000 });
    const text = await s.page.getByTestId('search-status').innerText();
    assert.match(text, /^Failed: Budget 'accuracy-drop<=1%': accuracy-drop needs labels/);
    assert.doesNotMatch(text, /--/, 'no CLI flags');
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
