// Debian's Chromium for playwright-core (how it is started, per e2e file: e2e-session.ts);
// screenshots go to test-output/screenshots/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './build';

export const CHROMIUM_PATH = process.env.EDGEQUANT_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = join(repoRoot, 'test-output', 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Collects the page's console errors and uncaught exceptions into `into` as they happen. */
export function recordConsoleErrors(page: Page, into: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
  page.on('pageerror', (e) => into.push(e.message));
}

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
