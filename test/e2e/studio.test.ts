// The Studio flow end to end in real Chromium against the built browser host and the real
// engine: create a project, import a real model (the demo MNIST CNN, a TF.js layers model),
// INT8 full-integer quantization calibrated on real digit images, the run in History with its
// metrics, a local benchmark, charts drawn (non-blank canvases), `project runs --json` agreeing
// with the table, screenshots of every page, and no console errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoData, repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { createProjectInUi, paintedPixels } from '../helpers/studio-page';

const demo = demoData;

describe('Studio flow in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const projectDir = join(mkdtempSync(join(tmpdir(), 'eq-studio-')), 'digits');

  const s = e2eSession({ name: 'studio', page: 'file' });

  test('create a project', async () => {
    await createProjectInUi(s.page, s.host.url, projectDir, 'Digits');
    assert.ok(existsSync(join(projectDir, 'edgequant-project.json')));
    await s.page.screenshot({ path: join(screenshotDir, 'studio-projects.png'), fullPage: true });
  });

  test('import a real model: summary and layer table', async () => {
    await openRoute(s.page, s.host.url, '#/models');
    await s.page.getByLabel('Model path').fill(join(demo, 'model', 'model.json'));
    await s.page.getByRole('button', { name: 'Inspect' }).click();
    await s.page.getByTestId('model-summary').waitFor({ timeout: 60_000 });
    assert.match(await s.page.getByTestId('model-format').innerText(), /tfjs|keras|layers/i);
    // The layer table (the converted graph) arrives after the summary.
    await s.page.getByTestId('layer-table').locator('tbody tr').first().waitFor({ timeout: 60_000 });
    const rows = await s.page.getByTestId('layer-table').locator('tbody tr').count();
    assert.ok(rows >= 4, `layer table has ${rows} rows`);
    assert.ok(await s.page.getByText('Every layer is supported.').isVisible());
    await s.page.getByRole('button', { name: 'Add to project' }).click();
    await s.page.getByText(/Added model\.json to the project/).waitFor({ timeout: 20_000 });
    await s.page.screenshot({ path: join(screenshotDir, 'studio-models.png'), fullPage: true });
  });

  test('INT8 full-integer quantization with real calibration images, as a job', async () => {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /INT8 full integer/ }).check();
    await s.page.locator('input[name="calibration"]').fill(join(demo, 'calibration'));
    await s.page.locator('select[name="preprocess"]').selectOption('0..1');
    await s.page.getByRole('button', { name: 'Preview one sample' }).click();
    await s.page.getByTestId('calibration-preview').waitFor({ timeout: 20_000 });
    assert.match(await s.page.getByTestId('calibration-preview').innerText(), /28×28×1 · values 0\.000 … 1\.000/);
    await s.page.locator('input[name="eval-data"]').fill(join(demo, 'eval', 'x.npy'));
    await s.page.locator('input[name="eval-labels"]').fill(join(demo, 'eval', 'labels.npy'));
    await s.page.locator('input[name="label"]').fill('int8 e2e');
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    await s.page.getByTestId('job-status').waitFor({ timeout: 10_000 });
    await s.page.getByTestId('results').waitFor({ timeout: 240_000 });
    const accuracy = await s.page.getByTestId('result-accuracy').innerText();
    const [quantAcc, floatAcc] = [...accuracy.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
    assert.ok(quantAcc! > 70 && floatAcc! > 70, `accuracy ${accuracy}`);
    assert.ok(Math.abs(quantAcc! - floatAcc!) < 5, `int8 stays within 5 points of float: ${accuracy}`);
    await s.page.screenshot({ path: join(screenshotDir, 'studio-quantize.png'), fullPage: true });
    await s.page.getByTestId('results').screenshot({ path: join(screenshotDir, 'studio-results.png') });
    await s.page.getByTestId('open-run').click();
    assert.match(await s.page.getByTestId('snippet').innerText(), /Interpreter\(model_path="model_int8\.tflite"\)/);
  });

  test('the run is in History with its metrics; a local benchmark; both charts drawn', async () => {
    await openRoute(s.page, s.host.url, '#/history');
    const row = s.page.getByTestId('runs-table').locator('tbody tr').first();
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /succeeded/);
    assert.match(await row.getByTestId('run-accuracy').innerText(), /\d+\.\d%/);
    await row.getByRole('button', { name: 'Deploy & benchmark' }).click();
    await s.page.getByTestId('bench-panel').locator('select').selectOption('local');
    await s.page.getByRole('button', { name: 'Run benchmark' }).click();
    await s.page.getByTestId('bench-status').getByText('succeeded').waitFor({ timeout: 120_000 });
    assert.match(await s.page.getByTestId('bench-log').innerText(), /local: p50 [\d.]+ ms over 100 runs/);
    await s.page.getByTestId('chart-scatter').waitFor({ timeout: 20_000 });
    await s.page.getByTestId('chart-latency').waitFor({ timeout: 20_000 });
    await s.page.waitForTimeout(300);
    const scatter = await paintedPixels(s.page, 'chart-scatter');
    const latency = await paintedPixels(s.page, 'chart-latency');
    assert.ok(scatter > 500, `scatter canvas has ${scatter} painted pixels`);
    assert.ok(latency > 500, `latency canvas has ${latency} painted pixels`);
    await s.page.screenshot({ path: join(screenshotDir, 'studio-history.png'), fullPage: true });
  });

  test('a second run (FP16), compared side by side with the INT8 run; metric over time drawn', async () => {
    await openRoute(s.page, s.host.url, '#/quantize');
    await s.page.getByTestId('quantize-model').waitFor();
    await s.page.getByRole('radio', { name: /FP16/ }).check();
    assert.equal(await s.page.locator('input[name="calibration"]').isDisabled(), true, 'FP16 with nearest rounding needs no data');
    await s.page.locator('select[name="weight-rounding"]').selectOption('gptq');
    assert.equal(await s.page.locator('input[name="calibration"]').isDisabled(), false, 'GPTQ rounding uses the calibration data');
    await s.page.locator('input[name="calibration"]').fill(join(demo, 'calibration'));
    await s.page.locator('input[name="unroll-rnn"]').check();
    await s.page.locator('input[name="eval-data"]').fill(join(demo, 'eval', 'x.npy'));
    await s.page.locator('input[name="eval-labels"]').fill(join(demo, 'eval', 'labels.npy'));
    await s.page.locator('input[name="label"]').fill('fp16 e2e');
    await s.page.getByRole('button', { name: 'Quantize', exact: true }).click();
    await s.page.getByTestId('results').waitFor({ timeout: 240_000 });
    await openRoute(s.page, s.host.url, '#/history');
    const rows = s.page.getByTestId('runs-table').locator('tbody tr');
    await rows.nth(1).waitFor({ timeout: 20_000 });
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    await s.page.getByRole('button', { name: 'Compare 2 selected' }).click();
    const table = s.page.getByTestId('compare-table');
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /fp16 e2e/);
    assert.match(text, /int8 e2e/);
    assert.match(text, /Weight rounding\s+gptq\s+nearest/, 'the FP16 run used gptq, the INT8 run nearest');
    assert.match(text, /Unrolled RNN\s+yes\s+no/, 'the FP16 run asked for unrolled RNNs');
    assert.match(text, /Mode\s+fp16\s+int8/);
    await s.page.getByTestId('chart-time').waitFor();
    await s.page.waitForTimeout(300);
    assert.ok((await paintedPixels(s.page, 'chart-time')) > 500);
    await s.page.screenshot({ path: join(screenshotDir, 'studio-history-compare.png'), fullPage: true });
    // Dark theme: the charts are redrawn in the theme's colours and still painted.
    const toggle = s.page.getByRole('button', { name: /Change theme/ });
    for (let i = 0; i < 3 && (await s.page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark'; i++) await toggle.click();
    assert.equal(await s.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await s.page.waitForTimeout(300);
    assert.ok((await paintedPixels(s.page, 'chart-scatter')) > 500);
    await s.page.screenshot({ path: join(screenshotDir, 'studio-history-dark.png'), fullPage: true });
  });

  test('project runs --json lists what the UI shows', async () => {
    const out = execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), 'project', 'runs', projectDir, '--json'], { encoding: 'utf8' });
    const listed = JSON.parse(out) as { runs: { id: string; status: string; metrics: Record<string, number | null>; latencyP50Ms: Record<string, number> }[] };
    const uiIds = await s.page.getByTestId('runs-table').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
    assert.deepEqual(listed.runs.map((r) => r.id), uiIds);
    const uiAccuracies = await s.page.getByTestId('runs-table').getByTestId('run-accuracy').allInnerTexts();
    assert.deepEqual(uiAccuracies, listed.runs.map((r) => `${(r.metrics.accuracy! * 100).toFixed(1)}%`));
    assert.ok(listed.runs.every((r) => r.status === 'succeeded'));
    assert.ok(listed.runs.some((r) => r.latencyP50Ms.local! > 0));
  });

  test('Devices page, and no console errors anywhere', async () => {
    await openRoute(s.page, s.host.url, '#/devices');
    await s.page.getByTestId('devices-table').waitFor();
    await s.page.screenshot({ path: join(screenshotDir, 'studio-devices.png'), fullPage: true });
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
