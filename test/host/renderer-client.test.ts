// The UI's API client (src-renderer/lib/api.ts, lib/jobs.ts) against the real browser host and
// services, in Node with the `ws` package standing in for the browser's WebSocket class.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WS from 'ws';
import { createApiServices, type ApiServices } from '../../src-main/app/services';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { ApiError, websocketApi, type Api } from '../../src-renderer/lib/api';
import { startJob } from '../../src-renderer/lib/jobs';
import { apiProtocols } from '../../src-renderer/lib/host-token';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
let services: ApiServices;
let host: RunningHost;
let api: Api;
const rendererDir = mkdtempSync(join(tmpdir(), 'eq-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');

before(async () => {
  services = createApiServices({ host: 'browser', tfjsBackend: async () => null });
  host = await startHost({ rendererDir, services });
  const origin = `http://127.0.0.1:${host.port}`;
  class OriginSocket extends WS {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { headers: { origin } }); // what a page served by the host sends
    }
  }
  const endpoint = () => ({ url: `ws://127.0.0.1:${host.port}/api`, protocols: apiProtocols(host.token) });
  api = websocketApi(endpoint, OriginSocket as unknown as typeof WebSocket);
});
after(async () => {
  await host.close();
  await services.dispose();
});

test('api.area.verb() resolves responses and rejects with the contract error code', async () => {
  const info = await api.app.info();
  assert.equal(info.host, 'browser');
  await assert.rejects(api.models.inspect({ path: '' }), (e: unknown) => e instanceof ApiError && e.code === 'BAD_REQUEST');
  await assert.rejects(api.jobs.cancel({ jobId: 'nope' }), (e: unknown) => e instanceof ApiError && e.code === 'BAD_INPUT' && /No job/.test(e.message));
});

test('startJob follows a real inspect job: progress in order, then the summary', async (t) => {
  const model = join(fixtures, 'mlperf-tiny', 'vww', 'vww_96_float.tflite');
  if (!existsSync(model)) return t.skip('…fixtures absent');
  const stages: string[] = [];
  const job = await startJob('inspect', { path: model }, (p) => stages.push(p.stage), api);
  const done = await job.done;
  assert.equal(done.status, 'succeeded');
  assert.equal(done.result?.format, 'tflite');
  assert.deepEqual(stages, ['open', 'summarize']);
  assert.equal((await api.jobs.list()).find((j) => j.id === job.jobId)?.status, 'succeeded');
});

test('startJob cancel: a conversion cancelled from the UI client ends cancelled', async (t) => {
  const model = join(fixtures, 'mlperf-tiny', 'resnet8', 'pretrainedResnet.h5');
  if (!existsSync(model)) return t.skip('…fixtures absent');
  const output = join(mkdtempSync(join(tmpdir(), 'eq-ui-cancel-')), 'r8.tflite');
  const stages: string[] = [];
  const job = await startJob(
    'convert',
    { model, output, quantize: { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false } },
    (p) => stages.push(p.stage),
    api,
  );
  assert.equal(await job.cancel(), true);
  const done = await job.done;
  assert.equal(done.status, 'cancelled');
  assert.equal(existsSync(output), false);
});
