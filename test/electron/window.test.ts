// The desktop window's security rules, tested without the Electron binary (it cannot run here):
// the options factory, the IPC sender check, navigation rules, and the preload bridge shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWindowOptions } from '../../src-main/electron/window-options';
import { appLocation, CONTENT_SECURITY_POLICY, devContentSecurityPolicy, isAllowedNavigation, isExternalLink, isTrustedSender } from '../../src-main/electron/security';
import { buildBridge, type IpcPort } from '../../src-preload/bridge';
import { API_CHANNELS, IPC_EVENT_CHANNEL } from '../../src-main/api/contract';
import { repoRoot } from '../helpers/build';
import { droppedFilePath } from '../../src-renderer/lib/api';

const built = { url: 'app://edgequant/index.html' };
const dev = { url: 'http://localhost:5173/' };

test('window options: sandboxed, isolated, no Node in any frame or worker', () => {
  const options = createWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });
  const web = options.webPreferences!;
  assert.equal(web.sandbox, true);
  assert.equal(web.contextIsolation, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.preload, '/app/out/preload/index.cjs');
  assert.equal(options.width, 1280);
  assert.equal(options.height, 800);
  assert.equal(options.show, false, 'shown on ready-to-show, no white flash');
  assert.equal(web.devTools, false, 'DevTools off unless main asks (unpackaged runs only)');
  assert.equal(createWindowOptions({ preloadPath: 'p', devTools: true }).webPreferences!.devTools, true);
  // Overrides cannot weaken the secure defaults: the factory takes no webPreferences input.
  const dark = createWindowOptions({ preloadPath: 'p', dark: true, width: 1000 });
  assert.equal(dark.webPreferences!.sandbox, true);
  assert.equal(dark.width, 1000);
});

test('CSP: own origin only, no inline or eval scripts, no WebSocket source, no inline styles', () => {
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.match(CONTENT_SECURITY_POLICY, /object-src 'none'/);
  assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
  const directive = (name: string) => new RegExp(`${name} ([^;]+)`).exec(CONTENT_SECURITY_POLICY)![1]!;
  assert.doesNotMatch(directive('script-src'), /unsafe-inline|'unsafe-eval'/);
  assert.equal(directive('connect-src'), "'self'", 'the window talks to main over IPC, never a socket');
  assert.equal(directive('style-src'), "'self'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /ws:|unsafe-inline/);
  // One renderer build serves both hosts, so the page carries no CSP meta (a meta policy would be
  // enforced on top of the header one): each host sends its own as a header.
  const html = readFileSync(join(repoRoot, 'src-renderer', 'index.html'), 'utf8');
  assert.doesNotMatch(html, /Content-Security-Policy|ws:\/\//);
  // electron-vite dev only: Vite's injected <style> tags and its hot-reload socket.
  const dev = devContentSecurityPolicy('http://localhost:5173/');
  assert.match(dev, /connect-src 'self' ws:\/\/localhost:5173;/);
  assert.match(dev, /style-src 'self' 'unsafe-inline';/);
  assert.doesNotMatch(dev, /script-src[^;]*unsafe-inline/);
});

test('no style attributes or style: directives in the UI (the window CSP has no unsafe-inline styles)', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.svelte')) {
        const markup = readFileSync(path, 'utf8').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<script[\s\S]*?<\/script>/g, '');
        if (/\sstyle(=|:[a-z-]+)/.test(markup)) offenders.push(path);
      }
    }
  };
  walk(join(repoRoot, 'src-renderer'));
  assert.deepEqual(offenders, [], 'use a class: style attributes need style-src \'unsafe-inline\' in the window');
});

test('ELECTRON_RENDERER_URL is honoured only by an unpackaged development build, for a local server', () => {
  const dev = { devBuild: true, packaged: false, rendererUrl: 'http://localhost:5173/' };
  assert.deepEqual(appLocation(dev), { url: 'http://localhost:5173/' });
  assert.deepEqual(appLocation({ ...dev, devBuild: false }), built, 'a production build ignores it');
  assert.deepEqual(appLocation({ ...dev, packaged: true }), built, 'a packaged app ignores it');
  assert.deepEqual(appLocation({ ...dev, rendererUrl: 'https://evil.example/' }), built);
  assert.deepEqual(appLocation({ ...dev, rendererUrl: 'file:///tmp/evil.html' }), built);
  assert.deepEqual(appLocation({ ...dev, rendererUrl: undefined }), built);
});

test('IPC sender check: only the app document in the top frame', () => {
  assert.equal(isTrustedSender({ url: `${built.url}#/models`, isMainFrame: true }, built), true);
  assert.equal(isTrustedSender({ url: built.url, isMainFrame: false }, built), false, 'iframe');
  assert.equal(isTrustedSender({ url: 'file:///tmp/evil.html', isMainFrame: true }, built), false);
  assert.equal(isTrustedSender({ url: 'app://other/index.html', isMainFrame: true }, built), false, 'app:// origins are opaque to URL: the host is compared');
  assert.equal(isTrustedSender({ url: 'app:///index.html', isMainFrame: true }, built), false);
  assert.equal(isTrustedSender({ url: 'https://example.com/', isMainFrame: true }, built), false);
  assert.equal(isTrustedSender({ url: 'not a url', isMainFrame: true }, built), false);
  assert.equal(isTrustedSender(null, built), false);
  assert.equal(isTrustedSender({ url: 'http://localhost:5173/#/projects', isMainFrame: true }, dev), true);
  assert.equal(isTrustedSender({ url: 'http://localhost:5174/', isMainFrame: true }, dev), false);
});

test('navigation stays in the app; web links go to the system browser', () => {
  assert.equal(isAllowedNavigation(`${built.url}#/devices`, built), true);
  assert.equal(isAllowedNavigation('https://example.com/', built), false);
  assert.equal(isAllowedNavigation('file:///etc/passwd', built), false);
  assert.equal(isAllowedNavigation('app://evil/index.html', built), false);
  assert.equal(isAllowedNavigation('http://localhost:5173/#/x', dev), true);
  assert.equal(isAllowedNavigation('http://localhost:5173.evil.example/', dev), false);
  assert.equal(isExternalLink('https://www.tensorflow.org/lite'), true);
  assert.equal(isExternalLink('file:///etc/passwd'), false);
  assert.equal(isExternalLink('javascript:alert(1)'), false);
});

test('preload bridge: named functions per contract channel, events filtered, no generic invoke', async () => {
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, Set<(e: unknown, m: unknown) => void>>();
  const ipc: IpcPort = {
    invoke: async (channel, payload) => {
      invoked.push([channel, payload]);
      return { ok: true, value: channel };
    },
    on: (channel, l) => void (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l),
    removeListener: (channel, l) => void listeners.get(channel)?.delete(l),
  };
  const bridge = buildBridge(ipc, { getPathForFile: () => '' });
  const areas = Object.keys(bridge).filter((k) => !['on', 'pathForFile', 'choosePath', 'showInFolder'].includes(k)).sort();
  assert.deepEqual(areas, [...new Set(API_CHANNELS.map((c) => c.split('.')[0]))].sort());
  assert.equal('invoke' in bridge, false);
  assert.equal('send' in bridge, false);
  assert.deepEqual(await bridge.app.info(), { ok: true, value: 'edgequant:app.info' });
  await bridge.models.inspect({ path: '/m.tflite' });
  assert.deepEqual(invoked, [
    ['edgequant:app.info', {}],
    ['edgequant:models.inspect', { path: '/m.tflite' }],
  ]);

  const got: unknown[] = [];
  const off = bridge.on('job.done', (p) => got.push(p));
  for (const l of listeners.get(IPC_EVENT_CHANNEL) ?? []) {
    l(null, { event: 'job.progress', payload: 1 });
    l(null, { event: 'job.done', payload: 2 });
  }
  assert.deepEqual(got, [2]);
  off();
  assert.equal(listeners.get(IPC_EVENT_CHANNEL)?.size, 0);
  assert.throws(() => bridge.on('fs.read' as never, () => undefined), /Unknown EdgeQuant event/);
});

test('preload bridge: pathForFile asks webUtils.getPathForFile for the dropped File, nothing else', () => {
  const asked: File[] = [];
  const ipc: IpcPort = { invoke: async () => assert.fail('no IPC for a file path'), on: () => undefined, removeListener: () => undefined };
  const bridge = buildBridge(ipc, {
    getPathForFile: (file) => {
      asked.push(file);
      return file.name === 'model.tflite' ? '/home/me/models/model.tflite' : '';
    },
  });
  const dropped = new File([new Uint8Array(8)], 'model.tflite');
  assert.equal(bridge.pathForFile(dropped), '/home/me/models/model.tflite');
  assert.equal(bridge.pathForFile(new File([], 'pasted.txt')), '', 'a File with no path on disk');
  assert.deepEqual(asked.map((f) => f.name), ['model.tflite', 'pasted.txt']);
  assert.equal(asked[0], dropped, 'the same File object reaches webUtils');
  // The Models page's drop zone asks through the renderer helper: a path in Electron, none in the browser host.
  assert.equal(droppedFilePath(dropped, bridge), '/home/me/models/model.tflite');
  assert.equal(droppedFilePath(new File([], 'pasted.txt'), bridge), undefined);
  assert.equal(droppedFilePath(dropped, undefined), undefined);
});

test('registerIpc: one handler per channel; untrusted senders get FORBIDDEN, trusted ones the dispatch result', async () => {
  const { registerIpc } = await import('../../src-main/electron/ipc');
  const { createApiServices } = await import('../../src-main/app/services');
  const services = createApiServices({ host: 'electron', tfjsBackend: async () => 'wasm' });
  const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
  const ipcMain = {
    handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) => void handlers.set(channel, fn),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  const unregister = registerIpc(ipcMain as never, services, built);
  assert.deepEqual([...handlers.keys()].sort(), API_CHANNELS.map((c) => `edgequant:${c}`).sort());
  const top = { senderFrame: { url: built.url, parent: null } };
  const iframe = { senderFrame: { url: built.url, parent: {} } };
  const foreign = { senderFrame: { url: 'https://evil.example/', parent: null } };
  const info = (await handlers.get('edgequant:app.info')!(top, {})) as { ok: boolean; value: { host: string; tfjsBackend: string } };
  assert.equal(info.ok, true);
  assert.equal(info.value.host, 'electron');
  assert.equal(info.value.tfjsBackend, 'wasm');
  for (const event of [iframe, foreign, { senderFrame: null }]) {
    assert.deepEqual(await handlers.get('edgequant:app.info')!(event, {}), {
      ok: false,
      error: { code: 'FORBIDDEN', message: 'This page may not use the EdgeQuant API.' },
    });
  }
  const bad = (await handlers.get('edgequant:jobs.start')!(top, { kind: 'rm -rf', params: {} })) as { ok: boolean; error: { code: string } };
  assert.equal(bad.error.code, 'BAD_REQUEST');
  unregister();
  assert.equal(handlers.size, 0);
  await services.dispose();
});
