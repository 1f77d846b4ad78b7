// Paths and words in real Chromium (issue 14): a relative project folder lands in the user's
// home (not the app's folder), a stale Recent entry can be removed, a request the API refuses is
// shown with the field's name (no "jobs.start: params…"), and the mode cards do not promise
// speed this computer does not measure.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { createProjectInUi } from '../helpers/studio-page';

describe('Paths from home, removable Recent entries, messages without jargon, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const home = mkdtempSync(join(tmpdir(), 'eq-home-'));
  const s = e2eSession({ name: 'workbench-paths', page: 'file', host: { env: { HOME: home, EDGEQUANT_HOME: join(home, '.edgequant') } } });

  after(async () => {
    rmSync(home, { recursive: true, force: true });
  });

  test('a relative project folder is created in the home folder, not in the app\'s folder', async () => {
    await openRoute(s.page, s.host.url, `#/projects`);
    await s.page.getByTestId('current-project').waitFor({ timeout: 60_000 }); // the demo on first start
    await createProjectInUi(s.page, s.host.url, 'relative-project');
    assert.ok(existsSync(join(home, 'relative-project', 'edgequant-project.json')));
    assert.ok(!existsSync(join(repoRoot, 'relative-project')), 'nothing in the install folder');
    assert.match(await s.page.getByTestId('current-project').innerText(), new RegExp(join(home, 'relative-project')));
  });

  test('a Recent entry whose folder is gone can be removed from the list', async () => {
    await createProjectInUi(s.page, s.host.url, '~/gone-soon');
    await s.page.getByRole('button', { name: /relative-project/ }).first().click();
    await s.page.getByTestId('current-project').getByRole('heading', { name: 'relative-project' }).waitFor({ timeout: 20_000 });
    rmSync(join(home, 'gone-soon'), { recursive: true });
    await s.page.reload();
    const stale = s.page.locator('.recent li', { hasText: 'gone-soon' });
    await stale.getByText('folder missing').waitFor({ timeout: 20_000 });
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-recent-stale.png') });
    await stale.getByRole('button', { name: /^Remove gone-soon/ }).click();
    await stale.waitFor({ state: 'detached', timeout: 10_000 });
  });

  test('a refused request names the field, not the API path; mode cards promise only what is measured', async () => {
    await s.page.getByRole('button', { name: 'Open the MNIST demo' }).click();
    await s.page.getByTestId('current-project').getByRole('heading', { name: 'MNIST demo' }).waitFor({ timeout: 20_000 });
    await openRoute(s.page, s.host.url, `#/quantize`);
    await s.page.getByTestId('quantize-model').waitFor();
    const cards = await s.page.locator('fieldset.modes').innerText();
    assert.doesNotMatch(cards, /Fastest on CPUs/);
    assert.match(cards, /int8 can be slower than float/);
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('input[name="samples"]').fill('0');
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    const error = s.page.getByTestId('job-progress').getByRole('alert');
    await error.waitFor({ timeout: 20_000 });
    const text = await error.innerText();
    assert.match(text, /^Samples: /);
    assert.doesNotMatch(text, /jobs\.start|params\.|request\.|--/);
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-human-error.png') });
    assert.deepEqual(s.consoleErrors, []);
  });
});
