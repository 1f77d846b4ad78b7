// The Quantize page offers gptq with its measured cost (src-common/gptq-cost.ts, the figures the
// CLI help and the README give too), in real Chromium against the built browser host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { CHROMIUM_PATH, launchBrowser, openRoute, recordConsoleErrors, screenshotDir, type LaunchedBrowser } from '../helpers/browser';
import { ensureDemoProject } from '../../src-main/projects/demo';
import { GPTQ_COST } from '../../src-common/gptq-cost';

describe('gptq cost on the Quantize page', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  let host: HostProcess;
  let launched: LaunchedBrowser;
  let page: Page;
  const consoleErrors: string[] = [];
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'eq-gptq-cost-')));
  let dir = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
    host = await startHostProcess();
    launched = await launchBrowser();
    page = await launched.browser.newPage();
    recordConsoleErrors(page, consoleErrors);
  });

  after(async () => {
    await launched?.close();
    await host?.kill();
    rmSync(work, { recursive: true, force: true });
  });

  test('the weight-rounding choice says what gptq costs for int8 and FP16', async () => {
    await openRoute(page, host.url, '#/projects');
    await page.locator('input[name="open-dir"]').fill(dir);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByTestId('current-project').waitFor({ timeout: 20_000 });
    await openRoute(page, host.url, '#/quantize');
    await page.getByTestId('quantize-model').waitFor();
    const select = page.locator('select[name="weight-rounding"]');
    const gptq = (await select.locator('option[value="gptq"]').innerText()).trim();
    assert.ok(GPTQ_COST.int8 > 1 && GPTQ_COST.fp16 > 1, 'the module holds measured figures');
    assert.equal(gptq, `GPTQ: closest to float on the calibration data (int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time)`);
    assert.equal(
      await page.getByTestId('gptq-cost').innerText(),
      `GPTQ takes int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration (MobileNetV2 224, 100 images, one worker, measured ${GPTQ_COST.measured}).`,
    );
    await select.selectOption('gptq');
    // The option's text must not widen the form past the window.
    assert.equal(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth), true, 'no horizontal overflow');
    await page.getByTestId('gptq-cost').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'quantize-gptq-cost.png'), fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });
});
