// The "done when" against a real OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts):
// its TFLite runtime is the C library from tfjs-tflite-node on the session's LD_LIBRARY_PATH,
// loaded by the board runner through ctypes with the system python3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli as cliInProcess } from '../helpers/cli';
import { CancelledError } from '../../src-main/errors';
import { DeviceService, DeviceStore, deployModel, openTransport, remoteSha256, type BenchResult } from '../../src-main/devices/index';
import { tfliteCLibraryPath } from '../../src-main/runtime/index';
import { TestSshd, freePort, generateKey, sshdMissingReason, startBlackhole } from '../helpers/sshd';
import { VWW_INT8, fixturesPresent, writeVwwSamples } from './vww-samples';

const missing = sshdMissingReason() ?? (fixturesPresent() ? undefined : '../shared/fixtures absent');
let sshd: TestSshd;
let work: string;
let env: NodeJS.ProcessEnv;

const cli = (...argv: string[]) => cliInProcess(argv, { cwd: work, env });

function boardFiles(): string[] {
  const root = join(sshd.home, '.edgequant');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true }).map(String).sort();
}

before(async () => {
  if (missing) return;
  work = mkdtempSync(join(tmpdir(), 'edgequant-ssh-test-'));
  sshd = await TestSshd.start({ libraryDir: dirname(tfliteCLibraryPath()) });
  // A private HOME: no ~/.ssh/config, default keys or agent of the machine leak into the test.
  env = { EDGEQUANT_HOME: join(work, 'state'), HOME: join(work, 'home'), PATH: process.env.PATH };
});

after(async () => {
  if (missing) return;
  await sshd.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('device add without --trust and without a terminal refuses the unknown host key', { skip: missing }, async () => {
  const r = await cli('device', 'add', 'pi', '--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--key', sshd.clientKey);
  assert.equal(r.code, 1, r.err);
  assert.ok(r.err.includes(sshd.hostFingerprint), r.err);
  assert.equal(new DeviceStore(env.EDGEQUANT_HOME).listDevices().length, 0);
});

test('device add --trust stores the SHA256 fingerprint OpenSSH reports', { skip: missing }, async () => {
  const r = await cli('device', 'add', 'pi', '--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--key', sshd.clientKey, '--trust', '--json');
  assert.equal(r.code, 0, r.err);
  const added = JSON.parse(r.out);
  assert.equal(added.hostKey.fingerprint, sshd.hostFingerprint);
  const stored = JSON.parse(readFileSync(join(env.EDGEQUANT_HOME!, 'known_hosts.json'), 'utf8'));
  assert.equal(stored[`[127.0.0.1]:${sshd.port}`].fingerprint, sshd.hostFingerprint);
  assert.equal(stored[`[127.0.0.1]:${sshd.port}`].keyType, 'ssh-ed25519');
  const list = JSON.parse((await cli('device', 'list', '--json')).out);
  assert.deepEqual(list.devices.map((d: { name: string }) => d.name), ['pi']);
});

test('device probe --json reports arch, cores, RAM and the ctypes runtime', { skip: missing }, async () => {
  const r = await cli('device', 'probe', 'pi', '--json');
  assert.equal(r.code, 0, r.err);
  const p = JSON.parse(r.out);
  assert.equal(p.arch, process.arch === 'x64' ? 'x86_64' : 'aarch64');
  assert.ok(p.cores >= 1);
  assert.ok(p.ramMb > 100, `ramMb ${p.ramMb}`);
  assert.ok(p.diskFreeMb > 0);
  assert.match(p.python, /^3\./);
  assert.equal(p.bestRuntime, 'tflite-c');
  assert.equal(p.runtimes.find((x: { name: string }) => x.name === 'tflite-c').path, tfliteCLibraryPath());
});

test('bench vww int8 --runs 50 --json on the board', { skip: missing }, async () => {
  const r = await cli('bench', VWW_INT8, '--device', 'pi', '--runs', '50', '--json');
  assert.equal(r.code, 0, r.err);
  const b = JSON.parse(r.out) as BenchResult;
  assert.equal(b.device, 'pi');
  assert.deepEqual(b.runtime, { name: 'tflite-c', version: '2.9.0' });
  assert.equal(b.runs, 50);
  assert.equal(b.latenciesMs.length, 50);
  assert.ok(b.latencyMs.p50 > 0);
  assert.ok(b.latencyMs.min <= b.latencyMs.p50 && b.latencyMs.p50 <= b.latencyMs.p90 && b.latencyMs.p99 <= b.latencyMs.max);
  assert.ok(b.initMs > 0);
  assert.ok(b.peakRssMb! > 1);
  assert.equal(b.inputs[0]!.dtype, 'int8');
  assert.deepEqual(b.inputs[0]!.shape, [1, 96, 96, 3]);
  // The model sits on the board under its final name with the right hash.
  const onBoard = join(sshd.home, '.edgequant', 'default', 'vww_96_int8.tflite');
  assert.equal(createHash('sha256').update(readFileSync(onBoard)).digest('hex'), b.model.sha256);
  // A second bench finds the same hash there and skips the upload.
  const again = JSON.parse((await cli('bench', VWW_INT8, '--device', 'pi', '--runs', '5', '--json')).out) as BenchResult;
  assert.equal(again.model.uploaded, false);
});

test('bench --input of 10 real samples: board outputs agree with the desktop run', { skip: missing }, async () => {
  const npy = join(work, 'vww10.npy');
  await writeVwwSamples(npy);
  const r = await cli('bench', VWW_INT8, '--device', 'pi', '--runs', '10', '--input', npy, '--json');
  assert.equal(r.code, 0, r.err);
  const c = (JSON.parse(r.out) as BenchResult).comparison!;
  assert.equal(c.samples, 10);
  assert.equal(c.top1Agreement, 1);
  assert.ok(c.sqnrDb === null || c.sqnrDb >= 40, `SQNR ${c.sqnrDb} dB vs ${c.localRuntime.name}`);
});

function runnerProcesses(): number[] {
  const marker = join(sshd.home, '.edgequant', 'runner');
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

test('a cancelled bench ends the runner on the board', { skip: missing }, async () => {
  const service = new DeviceService({ env });
  const controller = new AbortController();
  const started = service.bench('pi', VWW_INT8, { runs: 500_000, signal: controller.signal });
  let seen = false;
  for (let i = 0; i < 100 && !seen; i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = runnerProcesses().length > 0;
  }
  const abortedAt = performance.now();
  controller.abort();
  await assert.rejects(started, CancelledError);
  assert.ok(seen, 'the runner started on the board');
  // Prompt, not instant: generous enough for a loaded CI machine.
  assert.ok(performance.now() - abortedAt < 5000, `cancel took ${Math.round(performance.now() - abortedAt)} ms`);
  let left = runnerProcesses();
  for (let i = 0; i < 50 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = runnerProcesses();
  }
  assert.deepEqual(left, [], 'no runner left on the board');
});

test('a board with a different host key: bench exits 1 naming both fingerprints, nothing uploaded', { skip: missing }, async () => {
  const trusted = sshd.hostFingerprint;
  const originalKey = sshd.hostKeyPath;
  sshd.newHostKey();
  await sshd.restart();
  try {
    const model = join(work, 'changed_key_model.tflite');
    copyFileSync(VWW_INT8, model);
    const before = boardFiles();
    const r = await cli('bench', model, '--device', 'pi', '--runs', '5');
    assert.equal(r.code, 1);
    assert.ok(r.err.includes(trusted) && r.err.includes(sshd.hostFingerprint), r.err);
    assert.notEqual(trusted, sshd.hostFingerprint);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.deepEqual(boardFiles(), before);
  } finally {
    sshd.hostKeyPath = originalKey;
    await sshd.restart();
  }
});

test('sshd killed during a 20 MB upload: clear error, nothing recorded; the next deploy verifies', { skip: missing }, async () => {
  const big = join(work, 'big_model.tflite');
  writeFileSync(big, Buffer.concat([readFileSync(VWW_INT8), randomBytes(20 * 1024 * 1024)]));
  const store = new DeviceStore(env.EDGEQUANT_HOME);
  const device = store.requireDevice('pi');
  const transport = await openTransport(device, { store, env });
  let killedAt = 0;
  try {
    await assert.rejects(
      deployModel(transport, big, {
        deviceName: 'pi',
        store,
        onProgress: ({ bytesDone, bytesTotal }) => {
          if (!killedAt && bytesDone > bytesTotal / 4) {
            killedAt = bytesDone;
            sshd.kill();
          }
        },
      }),
      (error: Error) => {
        assert.match(error.message, /lost|failed|closed/i);
        assert.equal(error.message.includes('\n'), false);
        return true;
      },
    );
  } finally {
    await transport.close();
  }
  assert.ok(killedAt > 0 && killedAt < 21 * 1024 * 1024, `killed at ${killedAt}`);
  assert.equal(store.listDeployments('pi').some((d) => d.remotePath.endsWith('/big_model.tflite')), false);
  assert.equal(existsSync(join(sshd.home, '.edgequant', 'default', 'big_model.tflite')), false);

  await sshd.restart();
  const r = await cli('deploy', big, '--device', 'pi', '--json');
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out);
  const local = createHash('sha256').update(readFileSync(big)).digest('hex');
  assert.equal(result.sha256, local);
  assert.equal(result.skipped, false);
  const again = await openTransport(device, { store, env });
  try {
    assert.equal(await remoteSha256(again, result.remotePath), local);
  } finally {
    await again.close();
  }
  assert.deepEqual(boardFiles().filter((f) => f.includes('.part-')), [], 'no staging files left');
  assert.ok(store.listDeployments('pi').some((d) => d.remotePath === result.remotePath && d.sha256 === local));
});

test('a key the board does not accept: one-line error, exit 1', { skip: missing }, async () => {
  const wrongKey = join(work, 'wrong_ed25519');
  generateKey(wrongKey);
  const r = await cli('device', 'add', 'wrongkey', '--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--key', wrongKey, '--trust', '--connect-timeout', '5');
  assert.equal(r.code, 1);
  assert.match(r.err, /authentication .* failed \(tried: key /);
  assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('edgequant')).length, 1);
  assert.ok(r.ms < 5000, `${r.ms} ms`);
});

test('a refused port: one-line error, exit 1', { skip: missing }, async () => {
  const port = await freePort();
  const r = await cli('device', 'add', 'refused', '--ssh', `${sshd.user}@127.0.0.1:${port}`, '--key', sshd.clientKey, '--trust', '--connect-timeout', '3');
  assert.equal(r.code, 1);
  assert.match(r.err, /connection refused/);
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.ok(r.ms < 3000, `${r.ms} ms`);
});

test('a black-holed host: one-line timeout error within the connect timeout, exit 1', { skip: missing }, async () => {
  const hole = await startBlackhole();
  try {
    const r = await cli('device', 'add', 'hole', '--ssh', `${sshd.user}@127.0.0.1:${hole.port}`, '--key', sshd.clientKey, '--trust', '--connect-timeout', '2');
    assert.equal(r.code, 1);
    assert.match(r.err, /no SSH answer from .* within 2 s/);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.ok(r.ms >= 1900 && r.ms < 4000, `${r.ms} ms`);
  } finally {
    await hole.close();
  }
});
