// What a token holder may touch through the real host (EDGEQUANT_ROOTS = one tmp folder): reads
// under the roots only (symlinks resolved), writes only inside a project it created or opened,
// no folder trees created outside, serial paths only device files. Today all of these passed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { startSourceHost, type HostProcess } from '../helpers/host';
import { openApiSocket, sendFrame } from '../helpers/host-probe';

let host: HostProcess;
let ws: WebSocket;
const work = mkdtempSync(join(tmpdir(), 'eq-scope-'));
const root = join(work, 'root');
const outside = join(work, 'outside');
mkdirSync(join(root, 'data'), { recursive: true });
mkdirSync(outside);
mkdirSync(join(work, 'renderer'));
writeFileSync(join(work, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(root, 'data', 'notes.txt'), 'not a model');
writeFileSync(join(outside, 'secret.h5'), 'secret');
symlinkSync(outside, join(root, 'escape'));

before(async () => {
  host = await startSourceHost(join(work, 'renderer'), { EDGEQUANT_HOME: join(work, 'home'), EDGEQUANT_ROOTS: root, EDGEQUANT_OUTPUT_ROOTS: '' });
  ws = await openApiSocket(host.port, { token: host.token });
});
after(async () => {
  ws?.terminate();
  await host.kill();
});

let id = 0;
async function call(channel: string, payload: unknown): Promise<{ ok?: boolean; error?: { code?: unknown; message?: unknown } }> {
  const outcome = await sendFrame(ws, JSON.stringify({ type: 'request', id: ++id, channel, payload }), false, 30_000);
  assert.equal(outcome.kind, 'reply', `${channel}: ${JSON.stringify(outcome)}`);
  return outcome.kind === 'reply' ? (outcome.message.result ?? {}) : {};
}

async function assertForbidden(channel: string, payload: unknown, message: RegExp): Promise<void> {
  const result = await call(channel, payload);
  assert.equal(result.error?.code, 'FORBIDDEN', `${channel} ${JSON.stringify(payload)} → ${JSON.stringify(result)}`);
  assert.match(String(result.error?.message), message);
}

const convert = (model: string, output: string) => ({
  kind: 'convert',
  params: { model, output, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } },
});

test('reads stay under the roots, symlinks included', async () => {
  await assertForbidden('models.inspect', { path: '/etc/passwd' }, /^models\.inspect: \/etc\/passwd is outside the folders this app may read \(.*root.*\); set EDGEQUANT_ROOTS/);
  await assertForbidden('calibration.preview', { path: '/usr', preprocess: '0..1' }, /\/usr is outside/);
  await assertForbidden('models.inspect', { path: join(root, 'escape', 'secret.h5') }, /escape\/secret\.h5 is outside/);
  await assertForbidden('jobs.start', { kind: 'inspect', params: { path: join(outside, 'secret.h5') } }, /is outside/);
  await assertForbidden('devices.addSsh', { name: 'b', ssh: 'pi@127.0.0.1', keyFile: '/etc/ssh/ssh_host_ed25519_key', trustFingerprint: 'SHA256:xxxxxxxx' }, /is outside/);
  const inside = await call('models.inspect', { path: join(root, 'data', 'notes.txt') });
  assert.equal(inside.error?.code, 'BAD_INPUT', 'a path under the roots reaches the importer');
});

test('writes go only inside a project the host created; no folder trees outside', async () => {
  const deep = join(outside, 'new', 'tree', 'x.tflite');
  await assertForbidden('jobs.start', convert(join(root, 'data', 'notes.txt'), deep), /is not inside a project folder this app opened/);
  await assertForbidden('jobs.start', convert(join(root, 'data', 'notes.txt'), join(root, 'data', 'x.tflite')), /not inside a project folder/);
  assert.equal(existsSync(join(outside, 'new')), false, 'no folder was created');
  await assertForbidden('projects.create', { dir: join(outside, 'p') }, /outside the folders this app may use/);
  await assertForbidden('projects.create', { dir: join(root, 'a', 'b', 'p') }, /the folder .*\/a\/b does not exist; create projects in an existing folder/);
  const created = await call('projects.create', { dir: join(root, 'p'), name: 'P' });
  assert.equal(created.ok, true, JSON.stringify(created));
  const started = await call('jobs.start', convert(join(root, 'data', 'notes.txt'), join(root, 'p', 'runs', 'x.tflite')));
  assert.equal(started.ok, true, `a write inside the project is allowed: ${JSON.stringify(started)}`);
  await assertForbidden(
    'jobs.start',
    { kind: 'project-convert', params: { project: join(root, 'p'), request: convert(join(root, 'data', 'notes.txt'), join(outside, 'x.tflite')).params } },
    /not inside a project folder/,
  );
  // A detector run's labels folder and class names file are reads like its data.
  const inProject = convert(join(root, 'data', 'notes.txt'), join(root, 'p', 'runs', 'y.tflite')).params;
  await assertForbidden('jobs.start', { kind: 'project-convert', params: { project: join(root, 'p'), request: inProject, task: 'detect', detect: { labels: outside } } }, /is outside/);
  await assertForbidden('jobs.start', { kind: 'project-convert', params: { project: join(root, 'p'), request: inProject, detect: { classes: join(outside, 'secret.h5') } } }, /secret\.h5 is outside/);
});

test('serial devices must be device files', async () => {
  await assertForbidden('devices.addSerial', { name: 'b', path: '/etc/passwd' }, /is not a serial device/);
  await assertForbidden('devices.addSerial', { name: 'b', path: '/dev/../etc/passwd' }, /is not a serial device/);
});
