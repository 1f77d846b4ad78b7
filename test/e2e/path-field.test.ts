// Path fields with "Browse…" in real Chromium against the built browser host: on Projects, a
// project folder is picked through the file browser (served by files.browse under the token and
// the path scope) and opened; going above the allowed folders is refused in the dialog; on
// Quantize, the validation data (.npy) is picked the same way. Screenshots of the dialog.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { ensureDemoProject } from '../../src-main/projects/demo';

describe('Path fields in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const s = e2eSession({ name: 'path-field', page: 'file' });
  // Real paths: the scope compares resolved paths and the dialog shows what the host lists.
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'eq-path-field-')));
  let dir = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
  });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test('Projects: pick the project folder in the file browser, then open it', async () => {
    await openRoute(s.page, s.host.url, '#/projects');
    const field = s.page.locator('input[name="open-dir"]');
    await field.fill(dirname(dir));
    await s.page.getByRole('button', { name: 'Browse for Project folder' }).click();
    const dialog = s.page.getByTestId('file-browser');
    await dialog.waitFor();
    const shown = dialog.getByTestId('file-browser-dir');
    await s.page.waitForFunction((d) => document.querySelector('[data-testid="file-browser-dir"]')?.textContent === d, dirname(dir));
    const entries = await dialog.locator('.entries button').allInnerTexts();
    assert.deepEqual(entries, ['mnist-demo/'], 'folders only');
    await dialog.getByRole('button', { name: 'mnist-demo/' }).click();
    await s.page.waitForFunction((d) => document.querySelector('[data-testid="file-browser-dir"]')?.textContent === d, dir);
    const inside = await dialog.locator('.entries button').allInnerTexts();
    assert.ok(inside.includes('model/') && inside.includes('calibration/') && inside.includes('runs/'), inside.join(', '));
    assert.ok(inside.every((name) => name.endsWith('/')), 'a folder field lists no files');
    await s.page.screenshot({ path: join(screenshotDir, 'path-field-browser.png') });
    await dialog.getByRole('button', { name: 'Choose this folder' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await field.inputValue(), dir);
    await s.page.getByRole('button', { name: 'Open', exact: true }).click();
    await s.page.getByTestId('current-project').getByRole('heading', { name: 'MNIST demo' }).waitFor({ timeout: 20_000 });
    assert.equal(await shown.count(), 0);
  });

  test('the file browser refuses folders above the allowed ones, and says why', async () => {
    await openRoute(s.page, s.host.url, '#/projects');
    const root = realpathSync(tmpdir());
    await s.page.locator('input[name="open-dir"]').fill(root);
    await s.page.getByRole('button', { name: 'Browse for Project folder' }).click();
    const dialog = s.page.getByTestId('file-browser');
    await s.page.waitForFunction((d) => document.querySelector('[data-testid="file-browser-dir"]')?.textContent === d, root);
    await dialog.getByRole('button', { name: 'Up one folder' }).click();
    const error = dialog.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /is outside the folders this app may read/);
    assert.equal(await dialog.getByTestId('file-browser-dir').innerText(), root, 'the listing stays where it was');
    await s.page.screenshot({ path: join(screenshotDir, 'path-field-refused.png') });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('Quantize: pick the validation data file (.npy) in the file browser', async () => {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    const field = s.page.locator('input[name="eval-data"]');
    await field.fill(join(dir, 'eval'));
    await s.page.getByRole('button', { name: 'Browse for Validation data' }).click();
    const dialog = s.page.getByTestId('file-browser');
    await s.page.waitForFunction((d) => document.querySelector('[data-testid="file-browser-dir"]')?.textContent === d, join(dir, 'eval'));
    const entries = await dialog.locator('.entries button').allInnerTexts();
    assert.deepEqual(entries.map((e) => e.split('\n')[0]), ['labels.npy', 'x.npy'], entries.join(' | '));
    assert.match(entries[1]!, /KiB/, 'files show their size');
    await s.page.screenshot({ path: join(screenshotDir, 'path-field-quantize.png') });
    await dialog.getByRole('button', { name: /^x\.npy/ }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await field.inputValue(), join(dir, 'eval', 'x.npy'));
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
