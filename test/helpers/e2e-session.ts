// One e2e file's session: the built browser host and Chromium are started once per file (side
// by side), each test gets a fresh browser context and page (or, for a file whose tests are the
// steps of one story, one page for the file), a failed test leaves a screenshot of its page, and
// the pages, browser and host are always closed. Call inside `describe`, before the tests.
import { after, afterEach, before, beforeEach } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, recordConsoleErrors, screenshotDir } from './browser';
import { startHostProcess, type HostProcess } from './host';

export interface HostOptions {
  args?: string[];
  env?: Record<string, string>;
}

export interface SessionOptions {
  /** Prefixes the screenshots of failed tests (`failed-<name>-<test>.png`). */
  name: string;
  /**
   * Arguments and environment of the host (a function when they are known only once the file's
   * own `before` hooks, registered ahead of the session, have run); `false` for a file that
   * starts its own hosts.
   */
  host?: false | HostOptions | (() => HostOptions);
  /**
   * 'test' (default): a new context and page for each test. 'file': one page for all tests of
   * the file, for tests that carry on where the previous one left the page; the current project
   * is the window's own, so a file that opens one (in `setup` or a test) needs 'file'.
   */
  page?: 'test' | 'file';
  viewport?: { width: number; height: number };
  /** Chromium arguments added to the usual ones. */
  chromiumArgs?: string[];
  /** Runs on every page the session opens, before its first navigation (init scripts, routes). */
  preparePage?: (page: Page) => Promise<void>;
  /**
   * Runs once after start (a project made or opened through the UI, a model added): on the
   * file's page with 'file', else on a page of its own, so only what the host keeps carries over.
   */
  setup?: (page: Page, host: HostProcess) => Promise<void>;
}

export interface E2eSession {
  /** The host (throws when the session was made with `host: false`). */
  readonly host: HostProcess;
  readonly browser: Browser;
  /** The current test's context and page. */
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of every page the session opened. */
  readonly consoleErrors: string[];
  /** A context and page besides the test's, closed with it (or at the end, for 'file'). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** A screenshot of the current page into test-output/screenshots/<file>.png. */
  shot(file: string, options?: { fullPage?: boolean }): Promise<string>;
}

const DEFAULT_VIEWPORT = { width: 1280, height: 800 };

export function e2eSession(options: SessionOptions): E2eSession {
  let host: HostProcess | undefined;
  let browser: Browser | undefined;
  let current: { context: BrowserContext; page: Page } | undefined;
  // Extra contexts of the current test (or of the file in 'file' mode).
  let extra: BrowserContext[] = [];
  const consoleErrors: string[] = [];
  const perTest = (options.page ?? 'test') === 'test';

  async function open(viewport = options.viewport ?? DEFAULT_VIEWPORT): Promise<{ context: BrowserContext; page: Page }> {
    if (!browser) throw new Error('the e2e session has no browser (its start failed)');
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    recordConsoleErrors(page, consoleErrors);
    await options.preparePage?.(page);
    return { context, page };
  }

  async function closeAll(contexts: (BrowserContext | undefined)[]): Promise<void> {
    const results = await Promise.allSettled(contexts.map((c) => c?.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    // Chromium and the host start side by side; neither needs the other to be up.
    const hostOptions = typeof options.host === 'function' ? options.host() : options.host;
    const [startedHost, startedBrowser] = await Promise.allSettled([
      hostOptions === false ? Promise.resolve(undefined) : startHostProcess(hostOptions?.args, hostOptions?.env),
      chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])] }),
    ]);
    if (startedHost.status === 'fulfilled') host = startedHost.value;
    if (startedBrowser.status === 'fulfilled') browser = startedBrowser.value;
    if (startedHost.status === 'rejected') throw startedHost.reason;
    if (startedBrowser.status === 'rejected') throw startedBrowser.reason;
    if (!perTest) current = await open();
    if (options.setup && current) await options.setup(current.page, host!);
    else if (options.setup) {
      const { context, page } = await open();
      try {
        await options.setup(page, host!);
      } finally {
        await context.close();
      }
    }
  });

  if (perTest) {
    beforeEach(async () => {
      current = await open();
    });
  }

  afterEach(async (t) => {
    // A failed test leaves a picture of where its page was; the test's own error stays the report.
    if ('passed' in t && !t.passed && current && !current.page.isClosed()) {
      const slug = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60);
      const file = join(screenshotDir, `failed-${options.name}-${slug}.png`);
      await current.page.screenshot({ path: file, fullPage: true }).then(
        () => console.log(`screenshot of the failed test: ${file}`),
        (e: Error) => console.log(`no screenshot of the failed test: ${e.message}`),
      );
    }
    if (perTest) {
      const contexts = [current?.context, ...extra];
      current = undefined;
      extra = [];
      await closeAll(contexts);
    }
  });

  after(async () => {
    const closing = await Promise.allSettled([closeAll([current?.context, ...extra]).finally(() => browser?.close()), host?.kill()]);
    const failed = closing.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });

  return {
    get host() {
      if (!host) throw new Error(options.host === false ? 'this session starts no host' : 'the host did not start');
      return host;
    },
    get browser() {
      if (!browser) throw new Error('Chromium did not start');
      return browser;
    },
    get context() {
      if (!current) throw new Error('no page outside a test');
      return current.context;
    },
    get page() {
      if (!current) throw new Error('no page outside a test');
      return current.page;
    },
    consoleErrors,
    async newPage(viewport) {
      const opened = await open(viewport);
      extra.push(opened.context);
      return opened.page;
    },
    async shot(file, shotOptions) {
      const path = join(screenshotDir, file.endsWith('.png') ? file : `${file}.png`);
      await this.page.screenshot({ path, fullPage: shotOptions?.fullPage ?? false });
      return path;
    },
  };
}
