// The host never blocks on a request's heavy work: calibration.preview on a folder with a
// symlink loop (today: walked for minutes on the answering thread) answers within seconds while
// the host keeps answering health requests, and an image whose header says 16000×16000 is
// refused before anything is decoded (today: 4.5 GB, 21 s).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type WebSocket from 'ws';
import { startSourceHost, type HostProcess } from '../helpers/host';
import { healthy, openApiSocket, sendFrame, type SocketOutcome } from '../helpers/host-probe';
import { pngHeaderOnly } from '../helpers/png-header';

let host: HostProcess;
const work = mkdtempSync(join(tmpdir(), 'eq-nonblocking-'));
const renderer = join(work, 'renderer');
mkdirSync(renderer);
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');

before(async () => {
  host = await startSourceHost(renderer, { EDGEQUANT_HOME: join(work, 'home'), EDGEQUANT_ROOTS: work });
});
after(async () => {
  await host.kill();
});

async function preview(ws: WebSocket, path: string): Promise<SocketOutcome> {
  return sendFrame(ws, JSON.stringify({ type: 'request', id: 1, channel: 'calibration.preview', payload: { path, preprocess: '0..1' } }), false, 60_000);
}

test('a folder with symlink loops previews within seconds and the host answers meanwhile', async () => {
  const folder = join(work, 'loops');
  mkdirSync(join(folder, 'a', 'b'), { recursive: true });
  await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toFile(join(folder, 'a', 'sample.png'));
  symlinkSync('../..', join(folder, 'a', 'b', 'up'));
  symlinkSync('..', join(folder, 'a', 'back'));
  symlinkSync(folder, join(folder, 'self'));
  const ws = await openApiSocket(host.port, { token: host.token });
  const started = performance.now();
  const pending = preview(ws, folder);
  // Health requests while the preview runs: each must answer (healthy() allows 5 s).
  for (let i = 0; i < 3; i++) assert.equal(await healthy(host.port, host.token), true, `health request ${i} went unanswered`);
  const outcome = await pending;
  const seconds = (performance.now() - started) / 1000;
  ws.terminate();
  assert.equal(outcome.kind, 'reply');
  const result = outcome.kind === 'reply' ? outcome.message.result : undefined;
  assert.equal(result?.ok, true, JSON.stringify(result));
  const value = (result as unknown as { value: { files: number; sample: string; width: number } }).value;
  // The preview names the sample by its file name (data/preview.ts reads it as calibration does).
  assert.deepEqual([value.files, value.sample, value.width], [1, 'sample.png', 8]);
  assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s`);
});

test('an image whose header says 16000×16000 is refused by its size, before decoding', async () => {
  const folder = join(work, 'huge');
  mkdirSync(folder);
  writeFileSync(join(folder, 'huge.png'), pngHeaderOnly(16000, 16000));
  const ws = await openApiSocket(host.port, { token: host.token });
  const outcome = await preview(ws, folder);
  ws.terminate();
  assert.equal(outcome.kind, 'reply');
  const error = outcome.kind === 'reply' ? outcome.message.result?.error : undefined;
  assert.equal(error?.code, 'BAD_INPUT');
  assert.match(String(error?.message), /huge\.png: 16000×16000 pixels \(256 MP\) is more than the 64 MP the app decodes; scale the image down\.$/);
  assert.equal(await healthy(host.port, host.token), true);
});
