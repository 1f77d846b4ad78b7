// The CLI end to end through a serial console: a real login shell on a pty is the board, its
// TFLite runtime the C library of tfjs-tflite-node (ctypes from the board-side runner).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { socatAvailable, startSerialBoard, type SerialBoard } from '../../helpers/serial-board';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const fixtures = resolve(repo, '..', 'shared', 'fixtures');
const vww = join(fixtures, 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');
const dir = mkdtempSync(join(tmpdir(), 'eq-serial-cli-'));
const home = join(dir, 'edgequant-home');
const boards: SerialBoard[] = [];

after(async () => {
  for (const b of boards) await b.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], onStart?: (kill: () => void) => void): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(repo, 'bin', 'edgequant.js'), ...args], {
    cwd: repo,
    env: { ...process.env, EDGEQUANT_HOME: home, EDGEQUANT_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  onStart?.(() => child.kill('SIGKILL'));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr, ms: performance.now() - started })));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function board(sub: string, kind: 'shell' | 'garbage' = 'shell', linkPath?: string): Promise<SerialBoard> {
  const b = await startSerialBoard(join(dir, sub), kind, {}, linkPath);
  boards.push(b);
  return b;
}

test('device add --serial, probe --json, bench --json through a pty console; sha256 on the board matches', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const b = await board('main');
  const added = await cli(['device', 'add', 'console', '--serial', b.path, '--baud', '115200', '--json']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).device.baudRate, 115200);

  const probed = await cli(['device', 'probe', 'console', '--json']);
  assert.equal(probed.code, 0, probed.stderr);
  const probe = JSON.parse(probed.stdout);
  assert.equal(probe.arch, process.arch === 'x64' ? 'x86_64' : probe.arch);
  assert.ok(probe.cores >= 1);
  assert.ok(probe.runtimes.some((r: { usable: boolean }) => r.usable), probed.stdout);
  assert.notEqual(probe.bestRuntime, null);

  const benched = await cli(['bench', vww, '--device', 'console', '--runs', '20', '--json']);
  assert.equal(benched.code, 0, benched.stderr);
  const bench = JSON.parse(benched.stdout);
  t.diagnostic(`bench over serial: ${Math.round(benched.ms)} ms wall, p50 ${bench.latencyMs.p50} ms on ${bench.runtime.name} ${bench.runtime.version}`);
  assert.equal(bench.device, 'console');
  assert.equal(bench.runs, 20);
  assert.equal(bench.latenciesMs.length, 20);
  assert.ok(bench.latencyMs.p50 > 0);
  assert.ok(bench.initMs > 0);
  assert.ok(typeof bench.runtime.name === 'string' && bench.runtime.name.length > 0);
  const local = sha256(readFileSync(vww));
  assert.equal(bench.model.sha256, local);
  // The board is this machine: read the deployed file itself.
  assert.equal(sha256(readFileSync(bench.model.remotePath)), local);

  const deployed = await cli(['deploy', vww, '--device', 'console', '--json']);
  assert.equal(deployed.code, 0, deployed.stderr);
  assert.equal(JSON.parse(deployed.stdout).skipped, true);
});

function stagingBytes(root: string): number {
  if (!existsSync(root)) return 0;
  let total = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.includes('.part')) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

test('deploy: far end killed mid-transfer exits 1 with one clear line, nothing deployed; a retry succeeds', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  // A model-shaped file big enough to be cut in the middle: vww's bytes then 2.5 MB of padding.
  const big = join(dir, 'big_model.tflite');
  writeFileSync(big, Buffer.concat([readFileSync(vww), randomBytes(2_500_000)]));
  const linkPath = join(dir, 'ttyKILL');
  const first = await board('kill', 'shell', linkPath);
  assert.equal((await cli(['device', 'add', 'flaky', '--serial', linkPath])).code, 0);

  let killedAt = 0;
  const run = cli(['deploy', big, '--device', 'flaky']);
  const boardEdgequant = join(first.home, '.edgequant');
  for (let i = 0; i < 600 && stagingBytes(boardEdgequant) < 500_000; i++) await sleep(50);
  assert.ok(stagingBytes(boardEdgequant) >= 500_000, 'the upload started');
  await first.kill();
  killedAt = performance.now();
  const failed = await run;
  t.diagnostic(`exit ${failed.code} ${Math.round(performance.now() - killedAt)} ms after the kill: ${failed.stderr.trim()}`);
  assert.equal(failed.code, 1);
  assert.equal(failed.stderr.trim().split('\n').length, 1);
  assert.match(failed.stderr, /serial link .*ttyKILL was lost/);
  assert.equal(existsSync(join(first.home, '.edgequant', 'default', 'big_model.tflite')), false);
  const listed = JSON.parse((await cli(['device', 'list', '--json'])).stdout);
  assert.equal(listed.devices.find((d: { name: string }) => d.name === 'flaky').deployments, 0);

  // The board comes back at the same path (same home): the next deploy succeeds.
  const second = await board('kill', 'shell', linkPath);
  const retried = await cli(['deploy', big, '--device', 'flaky', '--json']);
  assert.equal(retried.code, 0, retried.stderr);
  const result = JSON.parse(retried.stdout);
  assert.equal(result.skipped, false);
  assert.equal(sha256(readFileSync(join(second.home, '.edgequant', 'default', 'big_model.tflite'))), sha256(readFileSync(big)));
  t.diagnostic(`retry: ${result.bytes} bytes in ${Math.round(result.uploadMs)} ms = ${(result.bytes / 1024 / (result.uploadMs / 1000)).toFixed(0)} KiB/s over the pty`);
});

test('deploy: the CLI killed mid-upload leaves the board mid here-document; the next deploy recovers it', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
  const big = join(dir, 'big_model2.tflite');
  writeFileSync(big, Buffer.concat([readFileSync(vww), randomBytes(2_500_000)]));
  const b = await board('cli-killed');
  assert.equal((await cli(['device', 'add', 'steady', '--serial', b.path])).code, 0);
  let killCli = () => {};
  const run = cli(['deploy', big, '--device', 'steady'], (kill) => (killCli = kill));
  const onBoard = join(b.home, '.edgequant');
  for (let i = 0; i < 600 && stagingBytes(onBoard) < 500_000; i++) await sleep(50);
  assert.ok(stagingBytes(onBoard) >= 500_000, 'the upload started');
  killCli();
  assert.notEqual((await run).code, 0);
  const again = await cli(['deploy', big, '--device', 'steady', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(sha256(readFileSync(join(b.home, '.edgequant', 'default', 'big_model2.tflite'))), sha256(readFileSync(big)));
});

test('a console with a login prompt: --user is stored; without a terminal to ask the password, one clear line', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const b = await startSerialBoard(join(dir, 'login'), 'login', { BOARD_USER: 'pi', BOARD_PASSWORD: 'pw' });
  boards.push(b);
  const added = await cli(['device', 'add', 'gated', '--serial', b.path, '--user', 'pi', '--json']);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).device.user, 'pi');
  const probed = await cli(['device', 'probe', 'gated', '--json']);
  assert.equal(probed.code, 1);
  assert.equal(probed.stderr.trim().split('\n').length, 1);
  assert.match(probed.stderr, /asks for a password; run from a terminal to type it/);

  // On a terminal (script(1) gives the CLI a pty) the password is asked once, typed, and used.
  if (!existsSync('/usr/bin/script')) return t.skip('script(1) absent: the typed-password half is not run');
  const child = spawn('script', ['-qec', `${process.execPath} ${join(repo, 'bin', 'edgequant.js')} device probe gated --json`, '/dev/null'], {
    cwd: repo,
    env: { ...process.env, EDGEQUANT_HOME: home, EDGEQUANT_FROM_SOURCE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let typed = 0;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    if (typed === 0 && screen.includes(`Password for pi on ${b.path}`)) {
      typed += 1;
      child.stdin.write('pw\r');
    }
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 0, screen);
  assert.equal(typed, 1);
  assert.match(screen, /"arch": "/);
  assert.ok(!existsSync(join(home, 'devices.json')) || !readFileSync(join(home, 'devices.json'), 'utf8').includes('"pw"'), 'the password is not stored');
});

test('wrong baud rate (garbage, no prompt): probe exits 1 with a clear line within the timeout', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const b = await board('garbage', 'garbage');
  assert.equal((await cli(['device', 'add', 'noisy', '--serial', b.path, '--baud', '9600'])).code, 0);
  const probed = await cli(['device', 'probe', 'noisy', '--json']);
  assert.equal(probed.code, 1);
  assert.equal(probed.stdout, '');
  assert.equal(probed.stderr.trim().split('\n').length, 1);
  assert.match(probed.stderr, /at 9600 baud .*baud rate is probably wrong/);
  assert.ok(probed.ms < 25_000, `${probed.ms} ms`);
});
