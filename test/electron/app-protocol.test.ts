// The app:// scheme's handler on a real folder (what protocol.handle calls in the window):
// files of out/renderer only, with the window's CSP; traversal and symlinks out refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, appRequestPath, serveAppRequest } from '../../src-main/electron/app-protocol';
import { appLocation, CONTENT_SECURITY_POLICY } from '../../src-main/electron/security';
import { repoRoot } from '../helpers/build';

const dir = mkdtempSync(join(tmpdir(), 'eq-app-protocol-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const renderer = join(dir, 'out', 'renderer');
mkdirSync(join(renderer, 'assets'), { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>EdgeQuant Studio</title>');
writeFileSync(join(renderer, 'assets', 'index-1.js'), 'console.log(1)');
writeFileSync(join(renderer, 'assets', 'tflite.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
writeFileSync(join(dir, 'secret.txt'), 'private');
symlinkSync(join(dir, 'secret.txt'), join(renderer, 'assets', 'leak.txt'));
symlinkSync(dir, join(renderer, 'up'));

const serve = (url: string) => serveAppRequest(renderer, url, CONTENT_SECURITY_POLICY);

test('the scheme is standard and secure, with fetch, and the window loads app://edgequant/index.html', () => {
  assert.equal(APP_SCHEME_PRIVILEGES.standard, true, 'relative URLs and a real origin');
  assert.equal(APP_SCHEME_PRIVILEGES.secure, true, 'a secure context, like https');
  assert.equal(APP_SCHEME_PRIVILEGES.supportFetchAPI, true, 'wasm is fetched');
  assert.equal(APP_SCHEME_PRIVILEGES.bypassCSP, false);
  assert.equal(APP_SCHEME_PRIVILEGES.allowServiceWorkers, false);
  assert.deepEqual(appLocation({ devBuild: false, packaged: true, rendererUrl: undefined }), { url: `${APP_ORIGIN}/index.html` });
});

test('app files are served with their type, the window CSP and nosniff', async () => {
  const index = await serve('app://edgequant/index.html');
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await index.text(), /EdgeQuant Studio/);
  assert.equal((await serve('app://edgequant/')).status, 200, '/ is index.html');
  assert.equal(await (await serve('app://edgequant/assets/index-1.js?v=2#x')).text(), 'console.log(1)');
  const wasm = await serve('app://edgequant/assets/tflite.wasm');
  assert.equal(wasm.headers.get('content-type'), 'application/wasm', 'streaming compile needs the wasm type');
  assert.equal((await serve('app://edgequant/assets/missing.js')).status, 404);
  assert.equal((await serve('app://edgequant/assets')).status, 404, 'a folder is not a file');
});

test('path traversal, foreign hosts, encoded separators and symlinks out are refused', async () => {
  const refused = [
    'app://edgequant/..%2f..%2fsecret.txt',
    'app://edgequant/assets/%2e%2e/%2e%2e/secret.txt',
    'app://edgequant/assets/..%5c..%5csecret.txt',
    'app://edgequant/index.html%00.js',
    'app://other/index.html',
    'app:///index.html',
    'file:///etc/passwd',
    'app://edgequant/assets/leak.txt',
    'app://edgequant/up/secret.txt',
  ];
  for (const url of refused) {
    const response = await serve(url);
    assert.ok(response.status === 403 || response.status === 404, `${url}: ${response.status}`);
    assert.doesNotMatch(await response.text(), /private/, url);
  }
  // URL parsing already folds plain dot segments: they cannot climb above the root.
  assert.deepEqual(appRequestPath('app://edgequant/../../secret.txt'), { ok: true, relative: 'secret.txt' });
  assert.equal((await serve('app://edgequant/../../secret.txt')).status, 404);
  assert.deepEqual(appRequestPath('app://edgequant/%E0%A4%A'), { ok: false, status: 400, reason: 'bad percent-encoding' });
});

test('the built renderer is served through app:// with no CSP of its own in the page', async (t) => {
  const built = join(repoRoot, 'out', 'renderer');
  if (!existsSync(join(built, 'index.html'))) return t.skip('out/renderer absent: run npm run build');
  const index = await serveAppRequest(built, 'app://edgequant/index.html', CONTENT_SECURITY_POLICY);
  const html = await index.text();
  assert.doesNotMatch(html, /Content-Security-Policy|ws:\/\//);
  for (const [, src] of html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
    const asset = await serveAppRequest(built, `app://edgequant/${src}`, CONTENT_SECURITY_POLICY);
    assert.equal(asset.status, 200, src);
    assert.equal(Buffer.from(await asset.arrayBuffer()).equals(readFileSync(join(built, src!))), true, src);
  }
});
