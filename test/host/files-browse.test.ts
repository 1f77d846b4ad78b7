// files.browse, the browser host's file browser: one folder's entries (folders first, sizes,
// extension and folders-only filters, hidden names left out, symlinks listed as their targets),
// bounded (entries read and entries shown), and through the real host only under the read roots
// (a symlink out of the roots is refused like any other path). The project-search job's paths
// are checked by the same scope.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { browseFolder, BrowseError } from '../../src-main/data/browse';
import { startSourceHost, type HostProcess } from '../helpers/host';
import { openApiSocket, sendFrame } from '../helpers/host-probe';

const work = mkdtempSync(join(tmpdir(), 'eq-browse-'));
const root = join(work, 'root');
const outside = join(work, 'outside');
mkdirSync(join(root, 'photos', 'cats'), { recursive: true });
mkdirSync(join(root, '.cache'));
mkdirSync(outside);
mkdirSync(join(work, 'renderer'));
writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(root, 'model.tflite'), Buffer.alloc(1234));
writeFileSync(join(root, 'labels.NPY'), Buffer.alloc(10));
writeFileSync(join(root, 'notes.txt'), 'x');
writeFileSync(join(root, '.hidden.npy'), 'x');
writeFileSync(join(outside, 'secret.h5'), 'secret');
symlinkSync(join(root, 'photos'), join(root, 'link-to-photos'));
symlinkSync(join(root, 'missing'), join(root, 'dangling'));
symlinkSync(outside, join(root, 'escape'));
for (let i = 0; i < 30; i++) writeFileSync(join(root, 'photos', `img${i}.png`), 'x');

let host: HostProcess;
let ws: WebSocket;
before(async () => {
  host = await startSourceHost(join(work, 'renderer'), { EDGEQUANT_HOME: join(work, 'home'), EDGEQUANT_ROOTS: root, EDGEQUANT_OUTPUT_ROOTS: '' });
  ws = await openApiSocket(host.port, { token: host.token });
});
after(async () => {
  ws?.terminate();
  await host?.kill();
  rmSync(work, { recursive: true, force: true });
});

let id = 0;
async function call(channel: string, payload: unknown): Promise<{ ok?: boolean; value?: unknown; error?: { code?: unknown; message?: unknown } }> {
  const outcome = await sendFrame(ws, JSON.stringify({ type: 'request', id: ++id, channel, payload }), false, 30_000);
  assert.equal(outcome.kind, 'reply', `${channel}: ${JSON.stringify(outcome)}`);
  return outcome.kind === 'reply' ? (outcome.message.result ?? {}) : {};
}

test('browseFolder: folders first (symlinks as their targets), then files with sizes; hidden and dangling entries left out', async () => {
  const listing = await browseFolder({ dir: root });
  assert.deepEqual(listing.entries.map((e) => `${e.kind}:${e.name}`), ['folder:escape', 'folder:link-to-photos', 'folder:photos', 'file:labels.NPY', 'file:model.tflite', 'file:notes.txt']);
  assert.equal(listing.entries.find((e) => e.name === 'model.tflite')?.size, 1234);
  assert.equal(listing.parent, work);
  assert.equal(listing.truncated, false);
  assert.equal((await browseFolder({ dir: '/' })).parent, null);
  const hidden = await browseFolder({ dir: root, showHidden: true });
  assert.ok(hidden.entries.some((e) => e.name === '.cache') && hidden.entries.some((e) => e.name === '.hidden.npy'));
});

test('browseFolder: extension filter (any case), folders only', async () => {
  assert.deepEqual((await browseFolder({ dir: root, extensions: ['npy', 'tflite'] })).entries.filter((e) => e.kind === 'file').map((e) => e.name), ['labels.NPY', 'model.tflite']);
  assert.ok((await browseFolder({ dir: root, foldersOnly: true })).entries.every((e) => e.kind === 'folder'));
});

test('browseFolder: bounded by entries read and entries shown, and says so', async () => {
  const dir = join(root, 'photos');
  const shown = await browseFolder({ dir }, { maxRead: 1000, maxShown: 10 });
  assert.equal(shown.entries.length, 10);
  assert.equal(shown.truncated, true);
  assert.equal(shown.entries[0]!.name, 'cats', 'folders come first even when cut');
  const read = await browseFolder({ dir }, { maxRead: 5, maxShown: 1000 });
  assert.ok(read.entries.length <= 5 && read.truncated, `${read.entries.length} entries`);
});

test('browseFolder: a missing folder or a file is a one-line error naming it', async () => {
  await assert.rejects(browseFolder({ dir: join(root, 'nope') }), (e: Error) => e instanceof BrowseError && /nope does not exist; pick another folder\.$/.test(e.message));
  await assert.rejects(browseFolder({ dir: join(root, 'model.tflite') }), (e: Error) => e instanceof BrowseError && /model\.tflite is not a folder/.test(e.message));
});

test('files.browse through the host: under the roots only, symlinks resolved', async () => {
  const inside = await call('files.browse', { dir: root, extensions: ['tflite'] });
  assert.equal(inside.ok, true, JSON.stringify(inside));
  const value = inside.value as { dir: string; entries: { name: string }[] };
  assert.deepEqual(value.entries.map((e) => e.name), ['escape', 'link-to-photos', 'photos', 'model.tflite']);
  for (const dir of ['/etc', outside, join(root, 'escape'), work]) {
    const refused = await call('files.browse', { dir });
    assert.equal(refused.error?.code, 'FORBIDDEN', `${dir}: ${JSON.stringify(refused)}`);
    assert.match(String(refused.error?.message), /^files\.browse: .* is outside the folders this app may read/);
  }
  const bad = await call('files.browse', { dir: root, extensions: ['.npy'] });
  assert.equal(bad.error?.code, 'BAD_REQUEST');
  const missing = await call('files.browse', { dir: join(root, 'nope') });
  assert.equal(missing.error?.code, 'BAD_INPUT');
});

test('the project-search job reads only under the roots', async () => {
  const refused = await call('jobs.start', { kind: 'project-search', params: { project: root, model: join(outside, 'secret.h5'), calibration: { path: 'photos' }, budget: 'sqnr>=30' } });
  assert.equal(refused.error?.code, 'FORBIDDEN', JSON.stringify(refused));
  assert.match(String(refused.error?.message), /secret\.h5 is outside/);
  const escaping = await call('jobs.start', { kind: 'project-search', params: { project: root, model: 'model.tflite', calibration: { path: 'escape' }, budget: 'sqnr>=30' } });
  assert.equal(escaping.error?.code, 'FORBIDDEN', JSON.stringify(escaping));
});
