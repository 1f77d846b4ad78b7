// Issue 14 in real Chromium against the built browser host and the real engine, on the demo
// MNIST model (a TF.js layers model) and real digit images: size figures against the float
// .tflite, results that stay (the Quantize page keeps its state; every run has a page with its
// report, per-layer table, formulas, snippet and files), the model picked on the Quantize page,
// and metrics labelled for what they are, validated on held-out data, with a verdict.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoData, repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { addModelInUi, createProjectInUi, quantizeDemo } from '../helpers/studio-page';
import type { RunRecord } from '../../src-main/projects/types';
import { readTflite } from '../../src-main/tflite/reader';
import { fileSize } from '../../src-renderer/lib/file-size';

const demo = demoData;
const model = join(demo, 'model', 'model.json');

/** The demo model as a float .tflite, written by the CLI (not by the code under test's UI path). */
function floatTfliteBytes(): number {
  const out = join(mkdtempSync(join(tmpdir(), 'eq-float-')), 'float.tflite');
  execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), 'convert', model, '-o', out, '--quantize', 'none'], { encoding: 'utf8' });
  return statSync(out).size;
}

const runRecord = (projectDir: string, id: string) => JSON.parse(readFileSync(join(projectDir, 'runs', id, 'run.json'), 'utf8')) as RunRecord;

describe('Runs that stay, with honest figures, in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const projectDir = join(mkdtempSync(join(tmpdir(), 'eq-workbench-')), 'digits');
  let heldOutRun = '';

  const s = e2eSession({
    name: 'workbench-runs',
    page: 'file',
    setup: async (page, host) => {
      await createProjectInUi(page, host.url, projectDir, 'Digits');
      await addModelInUi(page, host.url, model);
    },
  });

  test('the model is picked on the Quantize page, and inspecting another file does not change it', async () => {
    await openRoute(s.page, s.host.url, `#/quantize`);
    const picker = s.page.getByTestId('quantize-model');
    await picker.waitFor();
    assert.ok(await picker.isVisible());
    assert.equal(await picker.inputValue(), model);
    // Inspecting some other file on Models used to make it the hidden target.
    await openRoute(s.page, s.host.url, `#/models`);
    await s.page.getByLabel('Model path').fill(join(demo, 'eval', 'x.npy'));
    await s.page.getByRole('button', { name: 'Inspect' }).click();
    await s.page.getByRole('alert').waitFor({ timeout: 20_000 });
    await openRoute(s.page, s.host.url, `#/quantize`);
    assert.equal(await s.page.getByTestId('quantize-model').inputValue(), model);
  });

  test('size against the float .tflite, source size apart; validated on held-out data, labelled as agreement', async () => {
    await openRoute(s.page, s.host.url, `#/quantize`);
    await s.page.locator('input[name="calibration"]').fill(join(demo, 'calibration'));
    await s.page.locator('input[name="eval-data"]').fill('');
    assert.match(await s.page.getByTestId('validation-hint').innerText(), /20% of the calibration data is held out/);
    heldOutRun = await quantizeDemo(s.page, s.host.url, { label: 'int8 held-out' });
    const run = runRecord(projectDir, heldOutRun);
    const float = floatTfliteBytes();
    assert.equal(run.metrics['floatTfliteBytes'], float, 'the run records the float .tflite size from the conversion');
    const sizeText = await s.page.getByTestId('result-size').innerText();
    assert.equal(sizeText, `${fileSize(float)} → ${fileSize(run.metrics['sizeBytes']!)}`);
    const sourceBytes = statSync(model).size + statSync(join(demo, 'model', 'weights.bin')).size;
    assert.equal(run.metrics['sourceBytes'], sourceBytes);
    assert.equal(await s.page.getByTestId('result-source-size').innerText(), `Source files: ${fileSize(sourceBytes)}`);
    assert.match(await s.page.getByTestId('results').innerText(), new RegExp(`${(float / run.metrics['sizeBytes']!).toFixed(1)}× smaller than the float \\.tflite`));
    // No labels: agreement, never called accuracy; held out of calibration and said so.
    assert.equal(await s.page.getByTestId('result-accuracy').count(), 0);
    assert.match(await s.page.getByTestId('results').innerText(), /Top-1 agreement with float/);
    assert.equal(run.validation?.heldOut, true);
    assert.equal(run.validation?.samples, 20, '20% of the 100 calibration images');
    assert.match(await s.page.getByTestId('validation-note').innerText(), /Validated on 20 samples held out of the calibration data \(never used for calibration\)/);
    assert.equal(await s.page.getByTestId('verdict').getAttribute('data-level'), run.verdict?.level);
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-quantize-result.png') });
  });

  test('leaving the Quantize page and coming back keeps the form and the result', async () => {
    await openRoute(s.page, s.host.url, `#/history`);
    await s.page.getByTestId('runs-table').waitFor();
    await openRoute(s.page, s.host.url, `#/quantize`);
    assert.equal(await s.page.locator('input[name="label"]').inputValue(), 'int8 held-out');
    assert.equal(await s.page.locator('input[name="calibration"]').inputValue(), join(demo, 'calibration'));
    assert.ok(await s.page.getByRole('radio', { name: /INT8 full integer/ }).isChecked());
    await s.page.getByTestId('results').waitFor({ timeout: 5_000 });
    assert.match(await s.page.getByTestId('results').innerText(), new RegExp(heldOutRun));
  });

  test('every run has a page: report, per-layer table, formulas, snippet, files with their path and a download', async () => {
    await openRoute(s.page, s.host.url, `#/quantize`);
    await s.page.getByTestId('open-run').click();
    await s.page.getByTestId('quantizer-report').waitFor({ timeout: 20_000 });
    const run = runRecord(projectDir, heldOutRun);
    assert.ok(run.quantization && run.quantization.layers.length > 0, 'the record holds the quantizer report');
    assert.ok(run.ioFormulas && run.ioFormulas.length === 2, 'the record holds the I/O formulas');
    assert.ok(run.layerErrors && run.layerErrors.length > 0, 'the record holds the per-layer error table');
    // The layer table lists the ops of the run's .tflite (issue 14, finding 6; test/e2e/graph-view.test.ts).
    const fileOps = readTflite(new Uint8Array(readFileSync(join(projectDir, 'runs', heldOutRun, 'model_int8.tflite')))).graphs[0]!.nodes.length;
    await s.page.getByTestId('run-layers').locator('tbody tr').first().waitFor({ timeout: 20_000 });
    assert.equal(await s.page.getByTestId('run-layers').locator('tbody tr').count(), fileOps);
    const formulas = await s.page.getByTestId('io-formulas').innerText();
    for (const f of run.ioFormulas) assert.ok(formulas.includes(f.formula), `formula shown: ${f.formula}`);
    assert.match(await s.page.getByTestId('snippet').innerText(), /Interpreter\(model_path="model_int8\.tflite"\)/);
    const tflite = join(projectDir, 'runs', heldOutRun, 'model_int8.tflite');
    assert.ok((await s.page.getByTestId('artifact-path').allInnerTexts()).includes(tflite), 'the output path is shown');
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Download model_int8.tflite' }).click()]);
    const saved = join(mkdtempSync(join(tmpdir(), 'eq-dl-')), 'got.tflite');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), readFileSync(tflite), 'the download is the run\'s .tflite');
    const width = await s.page.evaluate(() => document.querySelector('main')!.scrollWidth <= document.querySelector('main')!.clientWidth);
    assert.ok(width, 'no horizontal overflow at 1280 px');
    await s.page.screenshot({ path: join(screenshotDir, 'workbench-run-page.png'), fullPage: true });
    // From History too.
    await openRoute(s.page, s.host.url, `#/history`);
    await s.page.getByTestId('runs-table').locator(`tr[data-run-id="${heldOutRun}"]`).getByRole('link', { name: /Open/ }).click();
    await s.page.getByTestId('quantizer-report').waitFor({ timeout: 20_000 });
    assert.match(s.page.url(), new RegExp(`#/runs/${heldOutRun}$`));
  });

  test('with labels the figure is accuracy; labelled runs and held-out runs say what they were validated on', async () => {
    const id = await quantizeDemo(s.page, s.host.url, { label: 'int8 labelled', evalData: join(demo, 'eval', 'x.npy'), labels: join(demo, 'eval', 'labels.npy') });
    const run = runRecord(projectDir, id);
    assert.equal(run.validation?.labelled, true);
    assert.equal(run.validation?.heldOut, false);
    const accuracy = await s.page.getByTestId('result-accuracy').innerText();
    assert.equal(accuracy, `${(run.metrics['accuracy']! * 100).toFixed(1)}% / ${(run.metrics['floatAccuracy']! * 100).toFixed(1)}%`);
    assert.match(await s.page.getByTestId('results').innerText(), /Accuracy on labels/);
    assert.match(await s.page.getByTestId('validation-note').innerText(), /Validated on 300 samples of .*x\.npy with labels/);
    assert.match(await s.page.getByTestId('result-latency').innerText(), /LiteRT\.js \(WebAssembly, XNNPACK\) on this computer; integer kernels there can be slower than float/);
    assert.deepEqual(s.consoleErrors, []);
  });
});
