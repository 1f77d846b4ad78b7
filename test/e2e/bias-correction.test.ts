// Bias correction on the Quantize page, in real Chromium against the built browser host and the
// real engine (demo MNIST model, real digits): a checkbox with its one-line explanation, checked
// as the CLI's default, disabled where it does not apply (FP16, GPTQ rounding); a run with it says
// on how many layers it ran, as the run record does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIAS_CORRECTION_BY_DEFAULT } from '../../src-main/convert/weight-rounding';
import type { RunRecord } from '../../src-main/projects/types';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { demoData } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { addModelInUi, createProjectInUi } from '../helpers/studio-page';

const model = join(demoData, 'model', 'model.json');

describe('Bias correction on the Quantize page and in the run details, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const projectDir = join(mkdtempSync(join(tmpdir(), 'eq-bias-')), 'digits');
  // One page for the file: the project opened in setup is the window's own.
  const s = e2eSession({
    name: 'bias-correction',
    page: 'file',
    setup: async (page, host) => {
      await createProjectInUi(page, host.url, projectDir, 'Bias digits');
      await addModelInUi(page, host.url, model);
    },
  });

  test('the checkbox: the CLI default, an explanation, disabled for FP16 and GPTQ rounding', async () => {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    const box = s.page.locator('input[name="bias-correction"]');
    assert.equal(await box.isChecked(), BIAS_CORRECTION_BY_DEFAULT, 'checked as the CLI does by default');
    assert.ok(await box.isEnabled());
    const label = s.page.locator('label', { has: box });
    assert.match(await label.innerText(), /Bias correction: each layer's bias absorbs the mean shift its rounded int8 weights cause on the calibration data/);
    await s.page.getByRole('radio', { name: /^FP16/ }).check();
    assert.ok(await box.isDisabled(), 'FP16 has no int8 weights');
    assert.match(await label.innerText(), /nearest rounding to int8 only/);
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('select[name="weight-rounding"]').selectOption('gptq');
    assert.ok(await box.isDisabled(), 'gptq corrects each bias itself');
    await s.page.locator('select[name="weight-rounding"]').selectOption('nearest');
    assert.ok(await box.isEnabled());
    await s.page.getByRole('radio', { name: /INT8 dynamic range/ }).check();
    assert.match(await label.innerText(), /dynamic range: only with calibration data/);
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await label.scrollIntoViewIfNeeded();
    await s.page.locator('fieldset', { has: box }).screenshot({ path: join(screenshotDir, 'bias-correction-quantize-form.png') });
  });

  test('a run with bias correction: the run details say it ran and on how many layers, as the record does', async () => {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('input[name="bias-correction"]').check();
    await s.page.locator('input[name="calibration"]').fill(join(demoData, 'calibration'));
    await s.page.locator('select[name="preprocess"]').selectOption('0..1');
    await s.page.locator('input[name="eval-data"]').fill('');
    await s.page.locator('input[name="label"]').fill('int8 bias-corrected');
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    const open = s.page.getByTestId('open-run');
    await open.waitFor({ timeout: 240_000 });
    const id = decodeURIComponent((await open.getAttribute('href'))!.replace('#/runs/', ''));
    const run = JSON.parse(readFileSync(join(projectDir, 'runs', id, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(run.config.request?.quantize.biasCorrection, true, 'the record says bias correction was asked for');
    const ran = run.quantization?.biasCorrection;
    assert.ok(ran && ran.corrected > 0, 'the quantizer report says it ran');
    // 100 calibration digits, 20% held out for validation: every calibration sample is used.
    assert.equal(ran.samples, 80);
    await open.click();
    const shown = s.page.getByTestId('quantizer-report').getByTestId('bias-correction');
    await shown.waitFor({ timeout: 20_000 });
    assert.equal(await shown.innerText(), `bias correction on ${ran.corrected} layer${ran.corrected === 1 ? '' : 's'} (${ran.samples} samples)${ran.skipped.length ? `, not on ${ran.skipped.length} (${[...new Set(ran.skipped.map((s) => s.reason))].join('; ')})` : ''}`);
    await s.page.getByTestId('quantizer-report').scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: join(screenshotDir, 'bias-correction-run-details.png'), fullPage: true });
    assert.deepEqual(s.consoleErrors, []);
  });
});
