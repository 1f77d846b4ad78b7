// The device layer's pure parts: ~/.ssh/config resolution, statistics, the state store,
// fingerprints (checked against ssh-keygen), tensor decoding and CLI usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSshConfig } from '../../src-main/devices/ssh/config-file';
import { summarizeLatencies, sqnrDb, top1Agreement } from '../../src-main/devices/stats';
import { DeviceStore, checkDeviceName } from '../../src-main/devices/store';
import { DeviceService } from '../../src-main/devices/service';
import { DeviceError, DeviceInputError } from '../../src-main/devices/errors';
import { sha256Fingerprint, keyTypeOf, hostIdOf } from '../../src-main/devices/ssh/host-keys';
import { decodeTensor } from '../../src-main/devices/tensors';
import { shq } from '../../src-main/devices/remote';
import { boardFolderOf } from '../../src-main/devices/deploy';
import { cli as cliInProcess } from '../helpers/cli';
import { generateKey, fingerprintOf, sshdMissingReason } from '../helpers/sshd';

test('~/.ssh/config: aliases, patterns, first value wins, IdentityFile expansion', () => {
  const text = [
    '# boards',
    'Host pi pi4',
    '  HostName 10.0.0.5',
    '  User pi',
    '  IdentityFile ~/.ssh/pi_%n',
    'Host rk* !rkold',
    '  HostName %h.lan',
    '  Port 2222',
    'Host *',
    '  User fallback',
    '  Port 22',
    '  IdentityFile ~/.ssh/id_all',
  ].join('\n');
  assert.deepEqual(resolveSshConfig(text, 'pi4', '/home/u'), {
    hostName: '10.0.0.5',
    user: 'pi',
    port: 22,
    identityFiles: ['/home/u/.ssh/pi_pi4', '/home/u/.ssh/id_all'],
  });
  assert.deepEqual(resolveSshConfig(text, 'rk3588', '/home/u'), {
    hostName: 'rk3588.lan',
    user: 'fallback',
    port: 2222,
    identityFiles: ['/home/u/.ssh/id_all'],
  });
  const old = resolveSshConfig(text, 'rkold', '/home/u');
  assert.equal(old.hostName, undefined);
  assert.equal(old.port, 22);
});

test('latency summary uses interpolated percentiles; SQNR and top-1 agreement', () => {
  const lat = Array.from({ length: 101 }, (_, i) => i / 10); // 0.0 .. 10.0
  assert.deepEqual(summarizeLatencies(lat), { min: 0, p50: 5, p90: 9, p99: 9.9, mean: 5, max: 10 });
  assert.equal(sqnrDb([1, 2, 3], [1, 2, 3]), Infinity);
  // noise power 1/100 of the signal: 20 dB
  assert.ok(Math.abs(sqnrDb([10, 0], [9, 0]) - 20) < 1e-9);
  assert.equal(top1Agreement([0.1, 0.9, 0.8, 0.2], [0.2, 0.7, 0.1, 0.3], 2), 0.5);
});

test('device store: atomic JSON files, deployments, bad JSON named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-store-'));
  try {
    const store = new DeviceStore(dir);
    store.saveDevice({ kind: 'ssh', name: 'pi', host: 'h', port: 22, user: 'u' });
    store.saveDevice({ kind: 'serial', name: 'uart', path: '/dev/ttyUSB0', baudRate: 115200 });
    store.recordDeployment({ device: 'pi', project: 'p', remotePath: '/x/m.tflite', sha256: 'ab', bytes: 1, deployedAt: 'now' });
    assert.deepEqual(store.listDevices().map((d) => d.name), ['pi', 'uart']);
    assert.equal(store.listDeployments('pi').length, 1);
    assert.equal(store.removeDevice('pi'), true);
    assert.equal(store.listDeployments('pi').length, 0);
    assert.throws(() => store.requireDevice('pi'), DeviceInputError);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    writeFileSync(join(dir, 'devices.json'), '{oops');
    assert.throws(() => store.listDevices(), (e: Error) => e instanceof DeviceError && /devices\.json is not valid JSON/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => checkDeviceName('local'), DeviceInputError);
  assert.throws(() => checkDeviceName('../etc'), DeviceInputError);
  checkDeviceName('rk3588-lab.1');
});

test('host key fingerprints match ssh-keygen', { skip: sshdMissingReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-fp-'));
  try {
    for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
      const path = join(dir, type);
      generateKey(path, type);
      const blob = Buffer.from(readFileSync(`${path}.pub`, 'utf8').split(' ')[1]!, 'base64');
      assert.equal(sha256Fingerprint(blob), fingerprintOf(`${path}.pub`));
      assert.equal(keyTypeOf(blob), readFileSync(`${path}.pub`, 'utf8').split(' ')[0]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(hostIdOf('pi.lan', 22), 'pi.lan');
  assert.equal(hostIdOf('127.0.0.1', 2222), '[127.0.0.1]:2222');
});

test('tensor bytes decode and dequantize; shell quoting', () => {
  assert.deepEqual(Array.from(decodeTensor(new Uint8Array([0x80, 0x00, 0x7f]), 'int8', [0.5, -128])), [0, 64, 127.5]);
  const half = new Uint8Array([0x00, 0x3c, 0x00, 0xc0]); // 1.0, -2.0
  assert.deepEqual(Array.from(decodeTensor(half, 'float16')), [1, -2]);
  assert.equal(shq(`it's`), `'it'\\''s'`);
  assert.equal(boardFolderOf('/home/me/My Projects/kws v2/'), 'kws_v2');
  assert.equal(boardFolderOf('../..'), 'default');
  assert.equal(boardFolderOf(undefined), undefined);
});

const cli = (argv: string[], home: string) => cliInProcess(argv, { cwd: home, env: { EDGEQUANT_HOME: home, HOME: home } });

test('CLI usage errors exit 2 with one line', async () => {
  const home = mkdtempSync(join(tmpdir(), 'eq-cli-'));
  try {
    writeFileSync(join(home, 'not-a-model.tflite'), 'hello world, not a flatbuffer');
    const cases: string[][] = [
      ['bench'],
      ['bench', 'm.tflite', '--runs', '0'],
      ['bench', 'not-a-model.tflite', '--device', 'local'],
      ['bench', 'not-a-model.tflite', '--device', 'nosuch'],
      ['device', 'add', 'local', '--ssh', 'u@h'],
      ['device', 'add', 'x', '--ssh', 'u@h', '--serial', '/dev/ttyS0'],
      ['device', 'add', 'x', '--ssh', 'u@h:99999'],
      ['device', 'probe', 'nosuch'],
      ['device', 'frobnicate'],
      ['deploy', 'not-a-model.tflite'],
    ];
    for (const argv of cases) {
      const r = await cli(argv, home);
      assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
    const listed = await cli(['device', 'list', '--json'], home);
    assert.deepEqual(JSON.parse(listed.out), { devices: [] });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('device settings update: clears with null, refuses settings of another kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-update-'));
  try {
    const service = new DeviceService({ env: { EDGEQUANT_HOME: dir, HOME: dir } });
    service.addSerial({ name: 'uart', path: '/dev/null' });
    assert.deepEqual(service.update('uart', { tfliteLibrary: '/opt/lib/libtensorflowlite_c.so', baudRate: 921600 }), {
      kind: 'serial', name: 'uart', path: '/dev/null', baudRate: 921600, tfliteLibrary: '/opt/lib/libtensorflowlite_c.so',
    });
    assert.equal((service.update('uart', { tfliteLibrary: null }) as { tfliteLibrary?: string }).tfliteLibrary, undefined);
    assert.throws(() => service.update('uart', { keyFile: '/x' }), DeviceInputError);
    assert.deepEqual(new DeviceStore(dir).getDevice('uart'), { kind: 'serial', name: 'uart', path: '/dev/null', baudRate: 921600 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
