// The Quantize page offers gptq with its measured cost (src-common/gptq-cost.ts, the figures the
// CLI help and the README give too), in real Chromium against the built browser host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { ensureDemoProject } from '../../src-main/projects/demo';
import { GPTQ_COST } from '../../src-common/gptq-cost';

describe('gptq cost on the Quantize page', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'eq-gptq-cost-')));
  let dir = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
  });
  const s = e2eSession({ name: 'gptq-cost', page: 'file' });

  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('the weight-rounding choice says what gptq costs for int8 and FP16', async () => {
    await openRoute(s.page, s.host.url, '#/projects');
    await s.page.locator('input[name="open-dir"]').fill(dir);
    await s.page.getByRole('button', { name: 'Open', exact: true }).click();
    await s.page.getByTestId('current-project').waitFor({ timeout: 20_000 });
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    const select = s.page.locator('select[name="weight-rounding"]');
    const gptq = (await select.locator('option[value="gptq"]').innerText()).trim();
    assert.ok(GPTQ_COST.int8 > 1 && GPTQ_COST.fp16 > 1, 'the module holds measured figures');
    assert.equal(gptq, `GPTQ: closest to float on the calibration data (int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time)`);
    assert.equal(
      await s.page.getByTestId('gptq-cost').innerText(),
      `GPTQ takes int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration (MobileNetV2 224, 100 images, one worker, measured ${GPTQ_COST.measured}).`,
    );
    await select.selectOption('gptq');
    // The option's text must not widen the form past the window.
    assert.equal(await s.page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth), true, 'no horizontal overflow');
    await s.page.getByTestId('gptq-cost').scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: join(screenshotDir, 'quantize-gptq-cost.png'), fullPage: true });
    assert.deepEqual(s.consoleErrors, []);
  });
});
