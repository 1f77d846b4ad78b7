// Every page of the menu (read from src-renderer/shell/routes.ts, so a new page is visited
// without editing this test) with the demo project open and one int8 run in its history, at
// 1280×800 and 1920×1080, light and dark: a screenshot each in test-output/screenshots/
// (<route>-<w>x<h>-<theme>.png), no horizontal overflow of the page or of its scrolling main
// area, and no console errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { e2eSession } from '../helpers/e2e-session';
import { repoRoot } from '../helpers/build';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi } from '../helpers/studio-page';
import { DEMO_EVAL, ensureDemoProject } from '../../src-main/projects/demo';
import { runProjectConvert } from '../../src-main/app/convert-run';

/** The menu's route ids, in order, from routes.ts (entries marked `hidden: true` are reached by links only). */
function menuRouteIds(source = readFileSync(join(repoRoot, 'src-renderer', 'shell', 'routes.ts'), 'utf8')): string[] {
  const entries = [...source.matchAll(/^\s*\{\s*id:\s*'([a-z0-9-]+)'[^\n]*\}/gm)];
  return entries.filter((m) => !/hidden:\s*true/.test(m[0])).map((m) => m[1]!);
}

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
const THEMES = ['light', 'dark'] as const;

async function setTheme(page: Page, theme: 'light' | 'dark') {
  const toggle = page.getByRole('button', { name: /Change theme/ });
  for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset.theme)) !== theme; i++) await toggle.click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme);
}

/** What overflows sideways: the page, and the scrolling main area (with its widest children). */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) problems.push(`page ${doc.scrollWidth} > ${window.innerWidth} px`);
    const main = document.querySelector('main')!;
    if (main.scrollWidth > main.clientWidth + 1) {
      const right = main.getBoundingClientRect().right;
      const wide = [...main.querySelectorAll<HTMLElement>('*')]
        .filter((el) => el.getBoundingClientRect().right > right + 1 && el.getClientRects().length)
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} (right ${Math.round(el.getBoundingClientRect().right)} px)`);
      problems.push(`main ${main.scrollWidth} > ${main.clientWidth} px: ${wide.join(', ')}`);
    }
    return problems;
  });
}

test('menuRouteIds reads the menu from routes.ts, hidden pages left out', () => {
  const ids = menuRouteIds();
  assert.ok(ids.includes('projects') && ids.includes('quantize') && ids.includes('search'), ids.join(', '));
  assert.ok(!ids.includes('runs'), 'the run page is reached by links only');
  assert.deepEqual(menuRouteIds(`[\n  { id: 'a', title: 'A', page: A },\n  { id: 'b', title: 'B', page: B, hidden: true },\n]`), ['a']);
});

describe('Screenshots of every page', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-screenshots-'));
  let dir = '';

  before(async () => {
    dir = await ensureDemoProject(join(work, 'home'));
    // One run, so History, Debug and the charts have something to show.
    await runProjectConvert(
      {
        project: dir,
        label: 'int8',
        request: {
          model: join(dir, 'model', 'model.json'),
          output: join(dir, 'x.tflite'),
          quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 50, method: 'minmax', seed: 0 } },
        },
        evaluateData: join(dir, DEMO_EVAL.data),
        evaluateLabels: join(dir, DEMO_EVAL.labels),
        benchRuns: 10,
      },
      () => undefined,
    );
  });
  const s = e2eSession({ name: 'screenshots', page: 'file', setup: (page, host) => openProjectInUi(page, host.url, dir, 'MNIST demo') });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
  });

  test('each menu page at 1280×800 and 1920×1080, light and dark: saved, no sideways overflow, no console errors', async () => {
    const ids = menuRouteIds();
    await openRoute(s.page, s.host.url, '#/projects');
    await s.page.getByRole('navigation', { name: 'Main' }).waitFor();
    const menu = await s.page.getByRole('navigation', { name: 'Main' }).locator('a[href^="#/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')!.slice(2)));
    assert.deepEqual(menu, ids, 'the menu lists the pages of routes.ts');
    // The check itself sees an overflow: a too-wide block in the main area is reported.
    await s.page.evaluate(() => {
      const wide = document.createElement('div');
      wide.id = 'too-wide';
      wide.textContent = 'x';
      wide.className = 'probe';
      wide.style.width = '4000px'; // CSSOM, which the page's CSP allows (unlike a style attribute)
      document.querySelector('main')!.append(wide);
    });
    assert.match((await overflow(s.page)).join(' '), /main \d+ > \d+ px: div\.probe/);
    await s.page.evaluate(() => document.getElementById('too-wide')!.remove());
    assert.deepEqual(await overflow(s.page), []);
    const problems: string[] = [];
    for (const size of SIZES) {
      await s.page.setViewportSize(size);
      for (const theme of THEMES) {
        await setTheme(s.page, theme);
        for (const id of ids) {
          await openRoute(s.page, s.host.url, `#/${id}`);
          await s.page.locator('main h1').first().waitFor();
          // Let the page's first requests answer and its charts draw.
          await s.page.waitForTimeout(400);
          const file = join(screenshotDir, `${id}-${size.width}x${size.height}-${theme}.png`);
          await s.page.screenshot({ path: file });
          assert.ok(existsSync(file));
          for (const p of await overflow(s.page)) problems.push(`${id} ${size.width}x${size.height} ${theme}: ${p}`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(s.consoleErrors, []);
    assert.equal(s.host.stderr.join(''), '');
  });
});
