import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkApiAccess, checkSite, newToken, offeredToken, requestPath, TOKEN_PROTOCOL_PREFIX } from '../../src-main/host/access';
import { browserCommand } from '../../src-main/host/open-browser';

const port = 4321;
const token = newToken();
const host = `127.0.0.1:${port}`;
const protocol = (t: string) => `edgequant, ${TOKEN_PROTOCOL_PREFIX}${t}`;

test('tokens are long and random', () => {
  assert.ok(token.length >= 32);
  assert.notEqual(newToken(), token);
});

test('the API needs the right token as a sub-protocol; a cookie or query carries nothing', () => {
  assert.deepEqual(checkApiAccess({ headers: { host, 'sec-websocket-protocol': protocol(token) }, port, token }), { ok: true });
  assert.deepEqual(checkApiAccess({ headers: { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'sec-websocket-protocol': protocol(token) }, port, token }), { ok: true });
  const missing = checkApiAccess({ headers: { host, cookie: `edgequant_token_${port}=${token}` }, port, token });
  assert.equal(!missing.ok && missing.status, 401);
  const wrong = checkApiAccess({ headers: { host, 'sec-websocket-protocol': protocol(`${token.slice(1)}x`) }, port, token });
  assert.equal(!wrong.ok && wrong.status, 403);
  assert.equal(offeredToken({ 'sec-websocket-protocol': 'edgequant' }), undefined);
});

test('foreign Host (DNS rebinding) and foreign Origin are refused even with the token', () => {
  for (const headers of [
    { host: `evil.example:${port}` },
    { host: `127.0.0.1:${port + 1}` },
    {},
    { host, origin: 'http://evil.example' },
    { host, origin: `https://127.0.0.1:${port}` },
    { host, origin: 'null' },
  ]) {
    const decision = checkApiAccess({ headers: { ...headers, 'sec-websocket-protocol': protocol(token) }, port, token });
    assert.equal(!decision.ok && decision.status, 403, JSON.stringify(headers));
    assert.equal(checkSite(headers, port).ok, false);
  }
});

test('request targets that are not URLs give null, never a throw', () => {
  assert.equal(requestPath('/assets/a.js?x=1'), '/assets/a.js');
  for (const bad of ['http://[', 'http://a:b:c/', 'http://[::1', 'http://%', undefined]) assert.equal(requestPath(bad), null, String(bad));
});

test('--open prefers an installed Chromium, else the platform opener', () => {
  const url = 'http://127.0.0.1:1/?token=t';
  assert.deepEqual(browserCommand(url, 'linux', (p) => p === '/usr/bin/chromium'), ['/usr/bin/chromium', [`--app=${url}`]]);
  assert.deepEqual(browserCommand(url, 'linux', () => false), ['xdg-open', [url]]);
  assert.deepEqual(browserCommand(url, 'darwin', () => false), ['open', [url]]);
});
