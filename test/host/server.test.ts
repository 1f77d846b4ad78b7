// The browser host in-process with the real services: public static files, the token-guarded
// WebSocket bridge of the contract (requests, validation errors, job events).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApiServices, type ApiServices } from '../../src-main/app/services';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { APP_VERSION } from '../../src-main/version';

let services: ApiServices;
let host: RunningHost;
const rendererDir = mkdtempSync(join(tmpdir(), 'eq-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title><div id="app"></div>');
mkdirSync(join(rendererDir, 'assets'));
writeFileSync(join(rendererDir, 'assets', 'a.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'eq-secret.txt'), 'secret');

before(async () => {
  services = createApiServices({ host: 'browser', tfjsBackend: async () => null });
  host = await startHost({ rendererDir, services });
});
after(async () => {
  await host.close();
  await services.dispose();
});

function connect(url: string, headers: Record<string, string> = {}, token: string | null = host.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, token === null ? ['edgequant'] : ['edgequant', `edgequant.token.${token}`], { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function client(ws: WebSocket) {
  let id = 0;
  const events: { event: string; payload: unknown }[] = [];
  const waiting = new Map<number, (r: unknown) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; id: number; result: unknown; event: string; payload: unknown };
    if (m.type === 'response') waiting.get(m.id)?.(m.result);
    else events.push({ event: m.event, payload: m.payload });
  });
  return {
    events,
    call: (channel: string, payload?: unknown) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON replies, checked field by field below
      new Promise<any>((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ type: 'request', id: n, channel, payload }));
      }),
  };
}

test('static files are served without the token, sealed to the app folder; no cookie is set', async () => {
  const base = `http://127.0.0.1:${host.port}`;
  const page = await fetch(host.url);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('set-cookie'), null);
  const asset = await fetch(`${base}/assets/a.js`);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${base}/../eq-secret.txt`)).status, 404);
  assert.equal((await fetch(`${base}/%2e%2e/eq-secret.txt`)).status, 404);
  assert.equal((await fetch(host.url, { method: 'POST' })).status, 405);
});

test('the WebSocket refuses a missing token, a wrong token, a token in the query and a foreign origin', async () => {
  const wsBase = `ws://127.0.0.1:${host.port}/api`;
  await assert.rejects(connect(wsBase, {}, null), /HTTP 401/);
  await assert.rejects(connect(wsBase, {}, 'nope'), /HTTP 403/);
  await assert.rejects(connect(`${wsBase}?token=${host.token}`, {}, null), /HTTP 401/);
  await assert.rejects(connect(wsBase, { cookie: `edgequant_token_${host.port}=${host.token}` }, null), /HTTP 401/);
  await assert.rejects(connect(wsBase, { origin: 'http://evil.example' }), /HTTP 403/);
});

test('the WebSocket bridges the contract: app.info, validation errors, unknown channels', async () => {
  const ws = await connect(`ws://127.0.0.1:${host.port}/api`, { origin: `http://127.0.0.1:${host.port}` });
  const api = client(ws);
  const info = await api.call('app.info', {});
  assert.equal(info.ok, true);
  assert.equal(info.value.version, APP_VERSION);
  assert.equal(info.value.host, 'browser');
  assert.equal(info.value.versions.node, process.versions.node);

  const bad = await api.call('models.inspect', { path: 42 });
  assert.deepEqual(bad.ok, false);
  assert.equal(bad.error.code, 'BAD_REQUEST');
  assert.match(bad.error.message, /^models\.inspect: path: /);

  const extra = await api.call('jobs.cancel', { jobId: 'x', evil: true });
  assert.equal(extra.error.code, 'BAD_REQUEST');

  const unknown = await api.call('fs.readFile', { path: '/etc/passwd' });
  assert.equal(unknown.error.code, 'UNKNOWN_CHANNEL');

  const noJob = await api.call('jobs.cancel', { jobId: 'nope' });
  assert.equal(noJob.error.code, 'BAD_INPUT');
  assert.match(noJob.error.message, /No job with id 'nope'/);
  ws.close();
});

test('a job started over the socket reports progress and completion as events', async () => {
  const ws = await connect(`ws://127.0.0.1:${host.port}/api`);
  const api = client(ws);
  const notAModel = join(rendererDir, 'index.html');
  const started = await api.call('jobs.start', { kind: 'inspect', params: { path: notAModel } });
  assert.equal(started.ok, true);
  const { jobId } = started.value;
  await services.jobs.wait(jobId);
  const ofJob = () => api.events.filter((e) => (e.payload as { jobId: string }).jobId === jobId);
  // The events cross the socket after the job ends here: wait for 'job.done' (bounded), not a fixed delay.
  for (let i = 0; i < 200 && !ofJob().some((e) => e.event === 'job.done'); i++) await new Promise((r) => setTimeout(r, 25));
  const kinds = ofJob().map((e) => e.event);
  assert.deepEqual(kinds, ['job.progress', 'job.done']);
  const done = api.events.at(-1)!.payload as { status: string; error: { code: string; message: string } };
  assert.equal(done.status, 'failed');
  assert.equal(done.error.code, 'BAD_INPUT');
  assert.match(done.error.message, /index\.html: not a model file/);
  const list = await api.call('jobs.list', {});
  assert.equal(list.value.find((j: { id: string }) => j.id === jobId).status, 'failed');
  ws.close();
});

test('models.inspect over the socket opens a real model with the engine importers', async (t) => {
  const model = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'mlperf-tiny', 'resnet8', 'pretrainedResnet_quant.tflite');
  if (!(await import('node:fs')).existsSync(model)) return t.skip('…fixtures absent');
  const ws = await connect(`ws://127.0.0.1:${host.port}/api`);
  const api = client(ws);
  const reply = await api.call('models.inspect', { path: model });
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  assert.equal(reply.value.format, 'tflite');
  assert.deepEqual(reply.value.inputs[0].shape.slice(1), [32, 32, 3]);
  assert.ok(reply.value.opHistogram.CONV_2D > 0);
  assert.equal(reply.value.bytes, 98496);
  ws.close();
});
