// End to end: the built browser host with the real main-side services, driven in real
// Chromium. Token refusal, the navigation frame, every page, About versions, the theme
// toggle, keyboard navigation and no console errors; screenshots in test-output/screenshots/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { openApiSocket } from '../helpers/host-probe';
import { repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, screenshotDir } from '../helpers/browser';
import { APP_VERSION } from '../../src-main/version';

const PAGES = ['Projects', 'Models', 'Quantize', 'Devices', 'History', 'Debug', 'Search'];

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser host in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const s = e2eSession({ name: 'app' });

  test('the page is public behind the Host/Origin checks; the API socket needs the token', async () => {
    const base = `${s.host.origin}/`;
    const wrongHost = await get(s.host.url, { host: `evil.example:${s.host.port}` });
    assert.equal(wrongHost.status, 403, 'a foreign Host header (DNS rebinding) is refused');
    const wrongOrigin = await get(s.host.url, { origin: 'http://evil.example' });
    assert.equal(wrongOrigin.status, 403);
    const ok = await get(base);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['set-cookie'], undefined, 'no credential in a cookie');
    assert.match(ok.body, /<div id="app">/);
    assert.match(String(ok.headers['content-security-policy']), /default-src 'self'/);
    await assert.rejects(openApiSocket(s.host.port), /HTTP 401/);
    await assert.rejects(openApiSocket(s.host.port, { token: `wrong-${s.host.token}` }), /HTTP 403/);
  });

  test('a page without the token gets no app, only how to get one', async () => {
    const response = await s.page.goto(`${s.host.origin}/`);
    assert.equal(response?.status(), 200);
    await s.page.getByRole('alert').filter({ hasText: 'open the URL that `npm start` printed' }).waitFor();
    assert.equal(await s.page.locator('nav[aria-label="Main"]').count(), 0);
  });

  test('the navigation frame renders and every page opens', async () => {
    await s.page.goto(s.host.url);
    const nav = s.page.locator('nav[aria-label="Main"]');
    await nav.waitFor();
    const links = nav.locator('a');
    assert.deepEqual((await links.locator('.title').allTextContents()).map((t) => t.trim()), PAGES);
    await s.page.screenshot({ path: join(screenshotDir, 'shell-projects.png') });
    for (const name of PAGES) {
      await links.filter({ hasText: name }).click();
      await s.page.locator('main h1', { hasText: name }).first().waitFor();
      assert.equal(await links.filter({ hasText: name }).getAttribute('aria-current'), 'page');
      assert.match(s.page.url(), new RegExp(`#/${name.toLowerCase()}$`));
      await s.page.screenshot({ path: join(screenshotDir, `page-${name.toLowerCase()}.png`) });
      const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 1280, `${name}: the page is ${width} px wide at a 1280 px window`);
    }
  });

  test('About shows the app, Node and TF.js backend from the main side', async () => {
    await s.page.goto(s.host.url);
    await s.page.getByRole('button', { name: 'About' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'About EdgeQuant Studio' });
    await dialog.locator('[data-testid="about-tfjs"]').waitFor();
    assert.equal((await dialog.locator('[data-testid="about-app"]').textContent())?.trim(), `EdgeQuant Studio ${APP_VERSION}`);
    assert.equal(await dialog.locator('[data-testid="about-node"]').textContent(), process.versions.node);
    assert.equal(await dialog.locator('[data-testid="about-host"]').textContent(), 'Browser host');
    assert.match((await dialog.locator('[data-testid="about-tfjs"]').textContent()) ?? '', /^(wasm|tensorflow|cpu)$/);
    await s.page.screenshot({ path: join(screenshotDir, 'about.png') });
    await s.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test('keyboard: Tab reaches the menu and Enter opens a page', async () => {
    await s.page.goto('about:blank'); // a fresh document: focus starts at the top
    await s.page.goto(`${s.host.url}#/projects`);
    await s.page.locator('nav[aria-label="Main"]').waitFor();
    await s.page.keyboard.press('Tab'); // skip link
    await s.page.keyboard.press('Tab'); // Projects
    await s.page.keyboard.press('Tab'); // Models
    assert.equal(await s.page.evaluate(() => document.activeElement?.textContent?.includes('Models')), true);
    await s.page.keyboard.press('Enter');
    await s.page.locator('main h1', { hasText: 'Models' }).waitFor();
  });

  test('the theme follows the system colour scheme until the user picks one', async () => {
    const fresh = await s.newPage();
    await fresh.emulateMedia({ colorScheme: 'dark' });
    await fresh.goto(s.host.url);
    await fresh.locator('nav[aria-label="Main"]').waitFor();
    assert.equal(await fresh.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await fresh.emulateMedia({ colorScheme: 'light' });
    await fresh.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await fresh.close();
  });

  test('the theme toggle switches light and dark', async () => {
    await s.page.goto(s.host.url);
    const toggle = s.page.getByRole('button', { name: /Theme/ });
    const themes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      await toggle.click();
      const theme = (await s.page.evaluate(() => document.documentElement.dataset.theme)) ?? '';
      themes.add(theme);
      if (theme === 'dark') await s.page.screenshot({ path: join(screenshotDir, 'shell-dark.png') });
    }
    assert.ok(themes.has('light') && themes.has('dark'), `themes seen: ${[...themes].join(', ')}`);
    const background = await s.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)');
  });

  test('the built host runs a real job in its built worker and pushes progress/done events', async (t) => {
    const model = join(repoRoot, '..', 'shared', 'fixtures', 'mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite');
    if (!existsSync(model)) return t.skip('…fixtures absent');
    const ws = await openApiSocket(s.host.port, { token: s.host.token });
    const messages: { type: string; event?: string; payload?: { status?: string; result?: { format: string } }; result?: { ok: boolean } }[] = [];
    const finished = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as (typeof messages)[number];
        messages.push(m);
        if (m.event === 'job.done') resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'request', id: 1, channel: 'jobs.start', payload: { kind: 'inspect', params: { path: model } } }));
    await finished;
    ws.close();
    assert.equal(messages[0]?.type, 'response');
    assert.equal(messages[0]?.result?.ok, true);
    assert.ok(messages.some((m) => m.event === 'job.progress'));
    const done = messages.find((m) => m.event === 'job.done')!;
    assert.equal(done.payload?.status, 'succeeded', JSON.stringify(done.payload));
    assert.equal(done.payload?.result?.format, 'tflite');
  });

  test('the Jobs panel shows a real conversion\'s progress and cancels it from the UI', async (t) => {
    const model = join(repoRoot, '..', 'shared', 'fixtures', 'mlperf-tiny', 'vww', 'vww_96.h5');
    if (!existsSync(model)) return t.skip('…fixtures absent');
    await s.page.goto(s.host.url);
    await s.page.locator('nav[aria-label="Main"]').waitFor();
    await s.page.waitForTimeout(300); // the page's socket is open and subscribed
    // Another client (here: this test) starts the job; every page sees it through the events.
    const ws = await openApiSocket(s.host.port, { token: s.host.token });
    const output = join(repoRoot, 'test-output', 'e2e-cancelled-vww.tflite');
    const calibration = join(repoRoot, '..', 'shared', 'fixtures', 'images', 'photos');
    const params = {
      model,
      output,
      quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: { path: calibration, preprocess: '0..1', samples: 8, method: 'minmax', seed: 1 } },
    };
    ws.send(JSON.stringify({ type: 'request', id: 1, channel: 'jobs.start', payload: { kind: 'convert', params } }));
    const row = s.page.locator('section[aria-label="Jobs"] li', { hasText: 'Quantize vww_96 to int8' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'running');
    await row.locator('.state', { hasText: /import|passes|calibrate/ }).waitFor();
    await s.page.screenshot({ path: join(screenshotDir, 'jobs-running.png') });
    await row.getByRole('button', { name: 'Cancel' }).click();
    await s.page.locator('section[aria-label="Jobs"] li[data-status="cancelled"]').waitFor({ timeout: 20_000 });
    assert.equal((await row.locator('.state').textContent())?.trim(), 'cancelled');
    // The long title must not squeeze the status word into an ellipsis.
    const state = await row.locator('.state').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(state.scroll <= state.client, `the status is cut: ${state.scroll} px of text in ${state.client} px`);
    assert.equal(existsSync(output), false, 'a cancelled conversion leaves no file');
    await s.page.screenshot({ path: join(screenshotDir, 'jobs-cancelled.png') });
    await row.getByRole('button', { name: /Dismiss/ }).click();
    await row.waitFor({ state: 'detached' });
    ws.close();
  });

  test('no console errors, nothing on the host stderr', () => {
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
