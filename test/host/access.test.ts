import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccess, cookieName, newToken } from '../../src-main/host/access';
import { browserCommand } from '../../src-main/host/open-browser';

const port = 4321;
const token = newToken();
const host = `127.0.0.1:${port}`;

test('tokens are long and random', () => {
  assert.ok(token.length >= 32);
  assert.notEqual(newToken(), token);
});

test('the right token in the query or the cookie passes', () => {
  assert.deepEqual(checkAccess({ url: `/?token=${token}`, headers: { host }, port, token }), { ok: true, viaQuery: true });
  const cookie = `other=1; ${cookieName(port)}=${token}`;
  assert.deepEqual(checkAccess({ url: '/assets/x.js', headers: { host, cookie }, port, token }), { ok: true, viaQuery: false });
  assert.equal(checkAccess({ url: `/?token=${token}`, headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` }, port, token }).ok, true);
});

test('no token is 401, a wrong token 403', () => {
  assert.equal(checkAccess({ url: '/', headers: { host }, port, token }).ok, false);
  const missing = checkAccess({ url: '/', headers: { host }, port, token });
  assert.equal(!missing.ok && missing.status, 401);
  const wrong = checkAccess({ url: `/?token=${token.slice(1)}x`, headers: { host }, port, token });
  assert.equal(!wrong.ok && wrong.status, 403);
  const otherPortCookie = checkAccess({ url: '/', headers: { host, cookie: `${cookieName(port + 1)}=${token}` }, port, token });
  assert.equal(!otherPortCookie.ok && otherPortCookie.status, 401);
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
    const decision = checkAccess({ url: `/?token=${token}`, headers, port, token });
    assert.equal(!decision.ok && decision.status, 403, JSON.stringify(headers));
  }
});

test('--open prefers an installed Chromium, else the platform opener', () => {
  const url = 'http://127.0.0.1:1/?token=t';
  assert.deepEqual(browserCommand(url, 'linux', (p) => p === '/usr/bin/chromium'), ['/usr/bin/chromium', [`--app=${url}`]]);
  assert.deepEqual(browserCommand(url, 'linux', () => false), ['xdg-open', [url]]);
  assert.deepEqual(browserCommand(url, 'darwin', () => false), ['open', [url]]);
});
