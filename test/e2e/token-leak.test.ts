// The credential stays with the app's own origin. Cookies of 127.0.0.1 are shared by every
// port, so a cookie token reached any local server; the token now lives in sessionStorage
// (per origin, port included) and leaves the address bar. Checked in real Chromium with a
// second local server that records every header it is sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM_PATH } from '../helpers/browser';
import { e2eSession } from '../helpers/e2e-session';

describe('the token in Chromium', { skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} absent` }, () => {
  const s = e2eSession({ name: 'token-leak' });
  let other: Server;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

  before(async () => {
    other = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>another local server</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => other?.close(resolve));
  });

  test('a server on another local port gets no credential; the address bar loses the token; a reload keeps the API', async () => {
    const { page, host } = s;
    await page.goto(`${host.url}#/projects`);
    await page.locator('nav[aria-label="Main"]').waitFor();
    await page.locator('main h1', { hasText: 'Projects' }).first().waitFor();
    assert.doesNotMatch(page.url(), /token/, 'the token left the address bar');
    assert.match(page.url(), /#\/projects$/);
    assert.equal(await page.evaluate(() => document.cookie), '');
    const cookies = await s.context.cookies();
    assert.deepEqual(cookies, [], 'no cookie at all');

    // The same tab reloads without the token in its URL and still reaches the API.
    await page.reload();
    await page.locator('nav[aria-label="Main"]').waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'no access token' }).count(), 0);

    const otherPort = (other.address() as AddressInfo).port;
    for (const origin of [`http://127.0.0.1:${otherPort}`, `http://localhost:${otherPort}`]) {
      await page.goto(`${origin}/probe`);
      const stored = await page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage }, cookie: document.cookie }));
      assert.doesNotMatch(stored, new RegExp(host.token), `${origin} can read the token`);
    }
    assert.ok(seen.length >= 2, 'the other server was visited');
    for (const request of seen) {
      assert.doesNotMatch(JSON.stringify(request), new RegExp(host.token), `the other server received the token: ${JSON.stringify(request)}`);
      assert.equal(request.headers.cookie, undefined);
    }
  });
});
