// The desktop window's CSP (no 'unsafe-inline' styles, no ws:// source) on the real UI in real
// Chromium: the Electron window cannot run here, so the browser host's pages are served to
// Chromium with the window's policy in place of the host's, every page is opened and the charts
// are drawn, and not one CSP violation may occur. Screenshots in test-output/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build';
import { CHROMIUM_PATH, screenshotDir } from '../helpers/browser';
import { e2eSession } from '../helpers/e2e-session';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security';

const PAGES = ['Projects', 'Models', 'Quantize', 'Devices', 'History'];
const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

describe('the window CSP on the real UI in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-window-csp-'));
  const projectDir = join(dir, 'digits');

  before(async () => {
    // A project with one real run (the demo CNN converted to float .tflite) for History's charts.
    cli('project', 'init', projectDir);
    cli('convert', join(repoRoot, 'resources', 'demo', 'model', 'model.json'), '-o', join(projectDir, 'digits.tflite'), '--project', projectDir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const s = e2eSession({
    name: 'window-csp',
    // Responses fulfilled by page.route() have no IP address space, so Chromium's Local Network
    // Access checks would block the page's socket to 127.0.0.1; that is not what is tested here.
    chromiumArgs: ['--disable-features=LocalNetworkAccessChecks'],
    preparePage: async (page) => {
      await page.addInitScript(() => {
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.cspViolations!.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
      });
      // Every response from the host carries the window's policy instead of the host's.
      await page.route('**/*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CONTENT_SECURITY_POLICY } });
      });
    },
  });

  const violations = () => s.page.evaluate(() => window.cspViolations ?? []);

  test('the page is under the window policy and every page renders styled, with no violation', async () => {
    const response = await s.page.goto(s.host.url);
    assert.equal((await response!.allHeaders())['content-security-policy'], CONTENT_SECURITY_POLICY);
    const nav = s.page.locator('nav[aria-label="Main"]');
    await nav.waitFor();
    for (const name of PAGES) {
      await nav.locator('a').filter({ hasText: name }).click();
      await s.page.locator('main h1', { hasText: name }).first().waitFor();
    }
    // The external stylesheet applied: the body has the theme's background, not the default.
    assert.notEqual(await s.page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgba(0, 0, 0, 0)');
    await s.page.getByRole('button', { name: 'About' }).click();
    await s.page.getByRole('dialog', { name: 'About EdgeQuant Studio' }).locator('[data-testid="about-tfjs"]').waitFor();
    await s.page.keyboard.press('Escape');
    assert.deepEqual(await violations(), []);
    assert.deepEqual(s.consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e)), []);
    // The listener does see violations under this policy: a style attribute is one.
    await s.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<p id="probe" style="color: red">probe</p>'));
    await s.page.waitForFunction(() => (window.cspViolations ?? []).length > 0);
    assert.match((await violations()).join('\n'), /^style-src-attr /);
    await s.page.evaluate(() => {
      document.getElementById('probe')?.remove();
      window.cspViolations = [];
    });
    s.consoleErrors.length = 0; // the probe's own console report
  });

  test('History draws its charts (chart.js sizes canvases through the CSSOM) in both themes, with no violation', async () => {
    await s.page.goto(`${s.host.url}#/projects`);
    await s.page.locator('input[name="open-dir"]').fill(projectDir);
    await s.page.getByRole('button', { name: 'Open', exact: true }).click();
    await s.page.getByTestId('current-project').waitFor({ timeout: 20_000 });
    await s.page.goto(`${s.host.url}#/history`);
    const row = s.page.getByTestId('runs-table').locator('tbody tr').first();
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Deploy & benchmark' }).click();
    await s.page.getByTestId('bench-panel').locator('select').selectOption('local');
    await s.page.getByRole('button', { name: 'Run benchmark' }).click();
    await s.page.getByTestId('bench-status').getByText('succeeded').waitFor({ timeout: 120_000 });
    const scatter = s.page.getByTestId('chart-scatter');
    await scatter.waitFor({ timeout: 20_000 });
    await s.page.getByTestId('chart-latency').waitFor({ timeout: 20_000 });
    await s.page.waitForTimeout(300);
    const box = await scatter.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `the scatter canvas is laid out: ${JSON.stringify(box)}`);
    await s.page.screenshot({ path: join(screenshotDir, 'window-csp-history.png'), fullPage: true });
    const toggle = s.page.getByRole('button', { name: /Change theme/ });
    for (let i = 0; i < 3 && (await s.page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark'; i++) await toggle.click();
    await s.page.waitForTimeout(300);
    await s.page.screenshot({ path: join(screenshotDir, 'window-csp-history-dark.png'), fullPage: true });
    assert.deepEqual(await violations(), []);
    assert.deepEqual(s.consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e)), []);
  });
});
