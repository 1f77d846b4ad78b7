// Logins the way users have them (encrypted key + passphrase prompt, ssh-agent, ~/.ssh/config
// alias) against a real sshd, and "This computer" as a device running the same board runner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src-main/cli/main';
import { DeviceService, DeviceStore, LOCAL_DEVICE, LocalTransport, benchOnDevice, probeDevice, callRunner, ensureRunner, deployModel, openTransport, type BenchResult } from '../../src-main/devices/index';
import { loadLocalModel, samplesForInput } from '../../src-main/devices/local-reference';
import { readNpy, writeNpy } from '../../src-main/data/npy';
import { tfliteCLibraryPath } from '../../src-main/runtime/index';
import { TestSshd, generateKey, sshdMissingReason } from '../helpers/sshd';
import { VWW_INT8, fixturesPresent, writeVwwSamples } from './vww-samples';

const noSshd = sshdMissingReason();
const noFixtures = fixturesPresent() ? undefined : '../shared/fixtures absent';
let sshd: TestSshd | undefined;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'edgequant-auth-test-'));
  mkdirSync(join(work, 'home'));
  if (!noSshd) sshd = await TestSshd.start();
});

after(async () => {
  await sshd?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const sshDevice = (extra: { keyFile?: string; host?: string } = {}) => ({
  kind: 'ssh' as const, name: 'b', host: extra.host ?? '127.0.0.1', port: sshd!.port, user: sshd!.user, connectTimeoutMs: 5000,
  ...(extra.keyFile ? { keyFile: extra.keyFile } : {}),
});

test('an encrypted key asks its passphrase once through the injected prompt', { skip: noSshd }, async () => {
  const key = join(work, 'secret_key');
  generateKey(key, 'ed25519', 'correct horse');
  sshd!.authorize(`${key}.pub`);
  const store = new DeviceStore(join(work, 'state-pass'));
  const questions: string[] = [];
  const t = await openTransport(sshDevice({ keyFile: key }), {
    store, env: { HOME: join(work, 'home') },
    confirmHostKey: async () => true,
    prompt: async (q) => (questions.push(q), 'correct horse'),
  });
  try {
    assert.equal((await t.exec('echo ok')).stdout, 'ok\n');
  } finally {
    await t.close();
  }
  assert.deepEqual(questions, [`Passphrase for ${key}: `]);
  // Nobody to ask (no TTY, no UI): a clear one-line failure, not a hang.
  await assert.rejects(
    openTransport(sshDevice({ keyFile: key }), { store, env: { HOME: join(work, 'home') } }),
    /authentication to .* failed \(tried: key .*secret_key \(encrypted, no terminal to ask its passphrase\)\)/,
  );
});

test('ssh-agent logs in when no key file is configured', { skip: noSshd }, async () => {
  const key = join(work, 'agent_key');
  generateKey(key);
  sshd!.authorize(`${key}.pub`);
  const socket = join(work, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    const added = spawnSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
    assert.equal(added.status, 0, added.stderr);
    const store = new DeviceStore(join(work, 'state-agent'));
    const t = await openTransport(sshDevice(), { store, env: { HOME: join(work, 'home'), SSH_AUTH_SOCK: socket }, confirmHostKey: async () => true });
    try {
      assert.equal((await t.exec('printf agent')).stdout, 'agent');
    } finally {
      await t.close();
    }
  } finally {
    agent.kill('SIGTERM');
  }
});

test('a ~/.ssh/config Host alias supplies HostName, User, Port and IdentityFile', { skip: noSshd }, async () => {
  const config = join(work, 'ssh_config');
  writeFileSync(config, `Host labboard\n  HostName 127.0.0.1\n  User ${sshd!.user}\n  Port ${sshd!.port}\n  IdentityFile ${sshd!.clientKey}\n`);
  const env = { EDGEQUANT_HOME: join(work, 'state-alias'), HOME: join(work, 'home'), EDGEQUANT_SSH_CONFIG: config };
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['device', 'add', 'lab', '--ssh', 'labboard', '--trust', '--json'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: work, env });
  assert.equal(code, 0, err.join(''));
  const { device } = JSON.parse(out.join(''));
  assert.deepEqual([device.host, device.port, device.user], ['labboard', sshd!.port, sshd!.user]);
  const trusted = new DeviceStore(env.EDGEQUANT_HOME).trustedKey(`[127.0.0.1]:${sshd!.port}`);
  assert.equal(trusted?.fingerprint, sshd!.hostFingerprint);
});

test('bench --device local runs the runner on this computer with the tfjs-tflite-node C library', { skip: noFixtures }, async () => {
  const env = { EDGEQUANT_HOME: join(work, 'state-local'), HOME: join(work, 'home'), PATH: process.env.PATH };
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['bench', VWW_INT8, '--device', 'local', '--runs', '20', '--threads', '2', '--json'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: work, env });
  assert.equal(code, 0, err.join(''));
  const b = JSON.parse(out.join('')) as BenchResult;
  assert.equal(b.device, 'local');
  assert.equal(b.runtime.name, 'tflite-c');
  assert.equal(b.threads, 2);
  assert.equal(b.latenciesMs.length, 20);
  assert.ok(b.latencyMs.p50 > 0);
  assert.ok(existsSync(join(env.EDGEQUANT_HOME, 'local-board', '.edgequant', 'default', 'vww_96_int8.tflite')));
});

test('the runner quantizes float .npy inputs exactly as the desktop does', { skip: noFixtures }, async () => {
  const floatNpy = join(work, 'float.npy');
  await writeVwwSamples(floatNpy, 4);
  const local = await loadLocalModel(VWW_INT8);
  const samples = samplesForInput(await readNpy(floatNpy), local.loaded.inputs[0]!, floatNpy);
  local.loaded.dispose();
  const int8Npy = join(work, 'int8.npy');
  const joined = new Int8Array(samples.length * samples[0]!.length);
  samples.forEach((s, k) => joined.set(s as Int8Array, k * s.length));
  await writeNpy(int8Npy, { dtype: 'int8', shape: [4, 96, 96, 3], data: joined });

  const t = new LocalTransport(join(work, 'runner-board'));
  const runner = await ensureRunner(t);
  const model = (await deployModel(t, VWW_INT8)).remotePath;
  type Out = { sampleOutputs: Array<{ base64: string; shape: number[] }> };
  const args = (input: string) => ['bench', '--model', model, '--runs', '1', '--warmup', '0', '--input', input, '--tflite-lib', tfliteCLibraryPath()];
  const fromFloat = await callRunner<Out>(t, runner, args(floatNpy));
  const fromInt8 = await callRunner<Out>(t, runner, args(int8Npy));
  assert.deepEqual(fromFloat.sampleOutputs[0]!.shape, [4, 2]);
  assert.equal(fromFloat.sampleOutputs[0]!.base64, fromInt8.sampleOutputs[0]!.base64);
  // A wrong shape is reported by the runner as one line.
  const bad = join(work, 'bad.npy');
  await writeNpy(bad, { dtype: 'float32', shape: [2, 5], data: new Float32Array(10) });
  await assert.rejects(callRunner(t, runner, args(bad)), /has shape \[2, 5\]; input .* needs/);
});

test('the app flow: scan the host key, then add trusting exactly that fingerprint', { skip: noSshd }, async () => {
  const env = { EDGEQUANT_HOME: join(work, 'state-scan'), HOME: join(work, 'home') };
  const service = new DeviceService({ env });
  const ssh = `${sshd!.user}@127.0.0.1:${sshd!.port}`;
  const scanned = await service.scanHostKey(ssh, 5000);
  assert.equal(scanned.fingerprint, sshd!.hostFingerprint);
  assert.equal(scanned.keyType, 'ssh-ed25519');
  // A fingerprint other than the presented one is never trusted.
  await assert.rejects(
    service.addSsh({ name: 'ui', ssh, keyFile: sshd!.clientKey, trustFingerprint: 'SHA256:somethingElse' }),
    (e: Error) => e.message.includes(scanned.fingerprint) && e.message.includes('SHA256:somethingElse'),
  );
  assert.deepEqual(service.list(), []);
  const added = await service.addSsh({ name: 'ui', ssh, keyFile: sshd!.clientKey, trustFingerprint: scanned.fingerprint });
  assert.equal(added.hostKey?.fingerprint, scanned.fingerprint);
  assert.deepEqual(service.list().map((d) => [d.name, d.hostKeyFingerprint]), [['ui', scanned.fingerprint]]);
  service.remove('ui');
  assert.equal(service.store.trustedKey(scanned.hostId), undefined);
});

test('a local bench reports runner progress and carries both outputs for real inputs', { skip: noFixtures }, async () => {
  const env = { EDGEQUANT_HOME: join(work, 'state-progress'), HOME: join(work, 'home'), PATH: process.env.PATH };
  const npy = join(work, 'three.npy');
  await writeVwwSamples(npy, 3);
  const stages: string[] = [];
  const result = await new DeviceService({ env }).bench('local', VWW_INT8, {
    runs: 30,
    inputs: [npy],
    onProgress: (p) => stages.push(p.stage === 'run' && p.runner ? `run:${p.runner.stage}` : p.stage),
  });
  assert.ok(stages.includes('upload') && stages.includes('run:samples') && stages.includes('compare') && stages.at(-1) === 'done', stages.join(','));
  const out = result.comparison!.outputs[0]!;
  assert.deepEqual(out.shape, [3, 2]);
  assert.equal(out.board!.length, 6);
  assert.equal(out.desktop!.length, 6);
  // vww ends in softmax: each sample's two probabilities sum to ~1 on both sides.
  for (const values of [out.board!, out.desktop!]) for (let k = 0; k < 3; k++) assert.ok(Math.abs(values[2 * k]! + values[2 * k + 1]! - 1) < 0.02);
});

test('a board without python3, and one without any TFLite runtime: one-line errors', { skip: noFixtures }, async () => {
  // A PATH with every usual tool except Python.
  const bin = join(work, 'bin-without-python');
  mkdirSync(bin);
  for (const dir of ['/usr/bin', '/bin']) {
    for (const tool of readdirSync(dir)) {
      if (!tool.startsWith('python') && !existsSync(join(bin, tool))) symlinkSync(join(dir, tool), join(bin, tool));
    }
  }
  const noPython = new LocalTransport(join(work, 'board-nopy'), { PATH: bin });
  const probe = await probeDevice(noPython);
  assert.equal(probe.python, null);
  assert.equal(probe.bestRuntime, null);
  await assert.rejects(benchOnDevice(noPython, LOCAL_DEVICE, VWW_INT8, { runs: 1 }), /python3 is not installed on the board/);

  // python3 present, no TFLite package, no C library on the loader path or given.
  const bare = new LocalTransport(join(work, 'board-bare'), { PATH: process.env.PATH });
  await assert.rejects(benchOnDevice(bare, LOCAL_DEVICE, VWW_INT8, { runs: 1 }), (e: Error) => {
    assert.match(e.message, /no TFLite runtime usable on this board .*set the device's TFLite C library path/);
    assert.equal(e.message.includes('\n'), false);
    return true;
  });
});

test('a board without SFTP: deploy and download go through the shell, sha256 verified', { skip: noSshd ?? noFixtures }, async () => {
  const bare = await TestSshd.start({ sftp: false });
  try {
    const store = new DeviceStore(join(work, 'state-nosftp'));
    const device = { kind: 'ssh' as const, name: 'nosftp', host: '127.0.0.1', port: bare.port, user: bare.user, keyFile: bare.clientKey };
    const t = await openTransport(device, { store, env: { HOME: join(work, 'home') }, confirmHostKey: async () => true });
    try {
      const seen: number[] = [];
      const result = await deployModel(t, VWW_INT8, { deviceName: 'nosftp', store, onProgress: (p) => seen.push(p.bytesDone) });
      assert.equal(result.skipped, false);
      assert.equal(seen.at(-1), result.bytes);
      assert.deepEqual(Buffer.from(await t.download(result.remotePath)), readFileSync(VWW_INT8));
      assert.equal(store.listDeployments('nosftp').length, 1);
    } finally {
      await t.close();
    }
  } finally {
    await bare.dispose();
  }
});

test('device probe local: this computer, with the runner finding the C library it is given', async () => {
  const env = { EDGEQUANT_HOME: join(work, 'state-probe'), HOME: join(work, 'home'), PATH: process.env.PATH };
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['device', 'probe', 'local', '--json'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: work, env });
  assert.equal(code, 0, err.join(''));
  const p = JSON.parse(out.join(''));
  assert.equal(p.device, 'local');
  assert.equal(p.cores, (await import('node:os')).availableParallelism());
  assert.equal(p.bestRuntime, 'tflite-c');
  assert.equal(p.runtimes.find((r: { name: string }) => r.name === 'tflite-c').path, tfliteCLibraryPath());
});

test('the TFLite C library path from the device settings is used when the loader path has none', { skip: noSshd ?? noFixtures }, async () => {
  // This sshd sets no LD_LIBRARY_PATH: the board has no runtime until the setting names one.
  const env = { EDGEQUANT_HOME: join(work, 'state-libsetting'), HOME: join(work, 'home') };
  const service = new DeviceService({ env });
  await service.addSsh({ name: 'nolib', ssh: `${sshd!.user}@127.0.0.1:${sshd!.port}`, keyFile: sshd!.clientKey, trustNew: true });
  await assert.rejects(service.bench('nolib', VWW_INT8, { runs: 2 }), /no TFLite runtime usable on this board/);
  assert.equal((await service.probe('nolib')).bestRuntime, null);
  service.update('nolib', { tfliteLibrary: tfliteCLibraryPath() });
  const probe = await service.probe('nolib');
  assert.equal(probe.bestRuntime, 'tflite-c');
  const result = await service.bench('nolib', VWW_INT8, { runs: 5 });
  assert.equal(result.runtime.name, 'tflite-c');
  assert.ok(result.latencyMs.p50 > 0);
});
