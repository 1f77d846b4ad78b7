// Launches Debian's Chromium through playwright-core with a fresh profile; screenshots go to
// test-output/screenshots/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './build';

export const CHROMIUM_PATH = process.env.EDGEQUANT_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh user-data-dir (removed on close). */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<LaunchedBrowser> {
  mkdirSync(screenshotDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'edgequant-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport,
  });
  return {
    browser: context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects the page's console errors and uncaught exceptions into `into` as they happen. */
export function recordConsoleErrors(page: Page, into: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
  page.on('pageerror', (e) => into.push(e.message));
}

export type { Browser };

/**
 * Opens a route (`#/models`) of the app at hostUrl. When the page already shows that app, only
 * the hash changes (the page keeps its state, as a user's click would); otherwise the printed
 * URL is loaded, which hands the page its token (the page then drops it from the address bar).
 */
export async function openRoute(page: Page, hostUrl: string, route: string): Promise<void> {
  const { origin } = new URL(hostUrl);
  if (page.url().startsWith(`${origin}/`)) await page.evaluate((hash) => (location.hash = hash), route);
  else await page.goto(`${hostUrl}${route}`);
}
