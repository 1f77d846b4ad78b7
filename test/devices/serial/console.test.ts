// The serial transport against a real login shell on a pty (socat), the way a Linux board's
// console behaves: exit codes, separate stderr, stdin, long scripts, noise, timeouts, login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { openSerialTransport, planUpload, SerialDeviceError } from '../../../src-main/devices/serial/index';
import type { SerialTransferProgress } from '../../../src-main/devices/serial/index';
import { CancelledError } from '../../../src-main/errors';
import { socatAvailable, startSerialBoard, type SerialBoard } from '../../helpers/serial-board';

const vww = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');
const dir = mkdtempSync(join(tmpdir(), 'eq-serial-'));
let board: SerialBoard | undefined;
const log: string[] = [];
let transport: Awaited<ReturnType<typeof openSerialTransport>> | undefined;
// Each test ends within two minutes: a console that stops answering fails that test, with its
// transcript, instead of holding the whole file until the runner's timeout.
const LIMIT = { timeout: 120_000 };

before(async () => {
  if (!socatAvailable()) return;
  // A board profile as people have them: aliases, a coloured prompt, a prompt command.
  mkdirSync(join(dir, 'board-home'), { recursive: true });
  writeFileSync(
    join(dir, 'board-home', '.bash_profile'),
    [
      "alias echo='echo ALIASED'",
      "alias rm='rm -i'",
      "PS1='\\[\\e[1;32m\\]\\u@board\\[\\e[0m\\]:\\w\\$ '",
      "PROMPT_COMMAND='printf \"\\033]0;board\\007\"'",
      '',
    ].join('\n'),
  );
  board = await startSerialBoard(dir, 'shell');
  transport = await openSerialTransport({ kind: 'serial', name: 'pty', path: board.path, baudRate: 115200 }, { timeoutMs: 10_000, onLog: (line) => log.push(line) });
});

after(async () => {
  await transport?.close();
  await board?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

test('exec: exit code, stdout and stderr apart, no trailing newline lost or added', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  assert.deepEqual(await transport.exec('echo out; echo err >&2; exit 3'), { code: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.deepEqual(await transport.exec("printf 'a\\tb'"), { code: 0, stdout: 'a\tb', stderr: '' });
  assert.equal((await transport.exec('false')).code, 1);
  assert.equal((await transport.exec('no-such-command-xyz')).code, 127);
  assert.ok(log.includes('shell ready') && log.includes('$ no-such-command-xyz'), log.join(' | '));
  // The profile's aliases exist but do not apply to our commands.
  assert.match((await transport.exec('alias')).stdout, /rm='rm -i'/);
  assert.equal((await transport.exec('echo plain; type echo')).stdout, 'plain\necho is a shell builtin\n');
  // Each command starts in $HOME and cannot change the session (it runs in a subshell).
  await transport.exec('cd /; export EQ_LEAK=1');
  assert.equal((await transport.exec('pwd; echo "${EQ_LEAK:-unset}"')).stdout, `${board!.home}\nunset\n`);
});

test('exec: quotes, "!", unicode, stdin and a multi-line script longer than a tty line', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  assert.equal((await transport.exec(`echo 'it'"'"'s' "!x" $((6*7))`)).stdout, "it's !x 42\n");
  assert.equal((await transport.exec('echo "Grüße ✓"')).stdout, 'Grüße ✓\n');
  assert.equal((await transport.exec('tr a-z A-Z', { stdin: 'hello board\n' })).stdout, 'HELLO BOARD\n');
  const lines = Array.from({ length: 300 }, (_, i) => `echo line-${i}-${'x'.repeat(20)}`);
  const result = await transport.exec(lines.join('\n'));
  assert.equal(result.code, 0);
  assert.equal(result.stdout.split('\n').length, 301);
  assert.equal(result.stdout.split('\n')[299], `line-299-${'x'.repeat(20)}`);
  const binary = randomBytes(100_000);
  assert.equal((await transport.exec('sha256sum', { stdin: binary })).stdout.slice(0, 64), sha256(binary));
});

test('upload: sha256 on the board equals local, staging name gone, download returns the bytes', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  const local = join(dir, 'model.bin');
  const data = randomBytes(700_000);
  writeFileSync(local, data);
  const progress: SerialTransferProgress[] = [];
  const started = performance.now();
  await transport.upload(local, '~/.edgequant/t/model.bin', (p) => progress.push(p));
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`upload 700 kB over the pty: ${(data.length / 1024 / seconds).toFixed(0)} KiB/s`);
  const onBoard = await transport.exec('sha256sum .edgequant/t/model.bin; ls -a .edgequant/t');
  assert.equal(onBoard.stdout.slice(0, 64), sha256(data));
  assert.ok(!onBoard.stdout.includes('.eqpart'), onBoard.stdout);
  assert.equal(progress.at(-1)!.bytesDone, data.length);
  assert.ok(progress.every((p, i) => i === 0 || p.bytesDone >= progress[i - 1]!.bytesDone));
  assert.ok(progress.every((p) => p.etaSeconds >= 0 && p.bytesPerSecond > 0));
  const back = await transport.download(join(board!.home, '.edgequant/t/model.bin'));
  assert.equal(sha256(back), sha256(data));
  assert.equal(existsSync(join(board!.home, '.edgequant/t/model.bin')), true);
  assert.deepEqual(readFileSync(join(board!.home, '.edgequant/t/model.bin')), data);
  await assert.rejects(transport.download('no/such/file.bin'), (e: unknown) => e instanceof SerialDeviceError && /Cannot read no\/such\/file\.bin/.test(e.message));
  assert.equal((await transport.download('/dev/null')).length, 0);
});

test('line overhead: what the upload puts on the wire matches the plan the estimate is built on', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  const random = join(dir, 'random.bin');
  writeFileSync(random, randomBytes(1_000_000));
  const files = [random, ...(existsSync(vww) ? [vww] : [])];
  for (const path of files) {
    const plan = await planUpload(path, 115200);
    const before = transport.lineBytes().sent;
    const started = performance.now();
    await transport.upload(path, `overhead/${basename(path)}`);
    const seconds = (performance.now() - started) / 1000;
    const sent = transport.lineBytes().sent - before;
    t.diagnostic(
      `${basename(path)}: ${plan.bytes} B → ${sent} B on the line (${(sent / plan.bytes).toFixed(3)}x; plan ${plan.wireBytes.toFixed(0)} B), ` +
        `pty ${(plan.bytes / 1024 / seconds).toFixed(0)} KiB/s; at 115200 baud ≈ ${(sent / 11520).toFixed(0)} s, estimated ${plan.seconds.toFixed(0)} s`,
    );
    // The plan is the chunk data; the measurement adds the preparation and sha256/rename commands.
    assert.ok(sent >= plan.wireBytes * 0.98 && sent <= plan.wireBytes * 1.05 + 1000, `${sent} vs ${plan.wireBytes}`);
    assert.equal((await transport.exec(`sha256sum overhead/${basename(path)}`)).stdout.slice(0, 64), sha256(readFileSync(path)));
  }
});

test('kernel messages printed on the console in between do not corrupt outputs or transfers', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  // A background writer on the console tty, as printk does on a board's serial console.
  const noise = await transport.exec(
    `nohup sh -c 'i=0; while [ $i -lt 4000 ]; do printf "[ %d.123456] usb 1-1: new high-speed USB device number %d\\n" $i $i; i=$((i+1)); sleep 0.002; done' >/dev/tty 2>&1 </dev/null & echo $!`,
  );
  const pid = noise.stdout.trim();
  try {
    const data = randomBytes(200_000);
    const local = join(dir, 'noisy.bin');
    writeFileSync(local, data);
    const lines = (await transport.exec('seq 1 3000')).stdout.split('\n');
    assert.equal(lines.length, 3001);
    assert.equal(lines[2999], '3000');
    await transport.upload(local, 'noisy.bin');
    assert.equal((await transport.exec('sha256sum noisy.bin')).stdout.slice(0, 64), sha256(data));
    assert.equal(sha256(await transport.download('noisy.bin')), sha256(data));
    assert.equal((await transport.exec('echo done; exit 5')).code, 5);
    t.diagnostic(`under noise: ${log.filter((l) => l.includes('damaged')).length} damaged outputs/chunks were asked again`);
  } finally {
    await transport.exec(`kill ${pid} 2>/dev/null; true`);
  }
});

test('a command over its timeout is interrupted within the limit and the session stays usable', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  const started = performance.now();
  await assert.rejects(transport.exec('sleep 30', { timeoutMs: 1000 }), (e: unknown) => e instanceof SerialDeviceError && /did not finish within 1 s/.test(e.message));
  assert.ok(performance.now() - started < 5000);
  assert.equal((await transport.exec('echo alive')).stdout, 'alive\n');
});

test('a cancelled upload leaves nothing at the target and the session usable', LIMIT, async (t) => {
  if (!transport) return t.skip('socat absent');
  const local = join(dir, 'big.bin');
  writeFileSync(local, randomBytes(3_000_000));
  const abort = new AbortController();
  await assert.rejects(
    transport.upload(local, 'cancelled.bin', (p) => p.bytesDone > 0 && abort.abort(), abort.signal),
    (e: unknown) => e instanceof CancelledError,
  );
  assert.equal(existsSync(join(board!.home, 'cancelled.bin')), false);
  assert.equal((await transport.exec('echo alive')).stdout, 'alive\n');
});

test('close gives the console back (prompt restored) and the next session opens on the same board', LIMIT, async (t) => {
  if (!transport || !board) return t.skip('socat absent');
  await transport.close();
  await transport.close();
  transport = await openSerialTransport({ kind: 'serial', name: 'pty', path: board.path, baudRate: 115200 }, { timeoutMs: 10_000 });
  // The saved prompt is the one the human had (bash's default contains "\\$" or "#"), not empty.
  const saved = (await transport.exec('echo "$__eqps1"')).stdout.trim();
  assert.notEqual(saved, '');
  assert.equal((await transport.exec('echo again')).stdout, 'again\n');
});

test('a console left inside a here-document by a killed session is recovered on the next open', LIMIT, async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const stuck = await startSerialBoard(join(dir, 'stuck'), 'shell');
  try {
    // What a process killed mid-chunk leaves: the start of a transfer and no terminator.
    const first = await openSerialTransport({ kind: 'serial', name: 's', path: stuck.path, baudRate: 115200 }, { timeoutMs: 10_000 });
    await first.close();
    const fd = openSync(stuck.path, 'w');
    writeSync(fd, `base64 -d >"$HOME/stuck.bin" <<'__EQ_EOF'\nQUJDREVG\nR0hJSktM\n`);
    closeSync(fd);
    const second = await openSerialTransport({ kind: 'serial', name: 's', path: stuck.path, baudRate: 115200 }, { timeoutMs: 10_000 });
    try {
      assert.equal((await second.exec('echo recovered')).stdout, 'recovered\n');
    } finally {
      await second.close();
    }
  } finally {
    await stuck.stop();
  }
});

test('a plain POSIX shell (dash): commands, stdin, gzip upload and download work the same', LIMIT, async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  if (!existsSync('/usr/bin/dash') && !existsSync('/bin/dash')) return t.skip('dash absent');
  const dashBoard = await startSerialBoard(join(dir, 'dash'), 'dash');
  try {
    const transcript: string[] = [];
    const dash = await openSerialTransport({ kind: 'serial', name: 'd', path: dashBoard.path, baudRate: 115200 }, { timeoutMs: 10_000, onLog: (line) => transcript.push(line) });
    try {
      assert.deepEqual(await dash.exec('echo "$0"; echo e >&2; exit 4', { timeoutMs: 30_000 }), { code: 4, stdout: 'dash\n', stderr: 'e\n' });
      assert.equal((await dash.exec('tr a-z A-Z', { stdin: 'posix\n', timeoutMs: 30_000 })).stdout, 'POSIX\n');
      const data = Buffer.concat([Buffer.alloc(50_000, 7), randomBytes(50_000)]);
      const local = join(dir, 'dash.bin');
      writeFileSync(local, data);
      await dash.upload(local, '~/d/dash.bin');
      assert.deepEqual(readFileSync(join(dashBoard.home, 'd', 'dash.bin')), data);
      assert.equal(sha256(await dash.download('d/dash.bin')), sha256(data));
    } catch (error) {
      t.diagnostic(`dash console transcript: ${transcript.join(' | ')}`);
      throw error;
    } finally {
      await dash.close();
    }
  } finally {
    await dashBoard.stop();
  }
});

test('a login prompt: user name sent, password asked through the callback, wrong password refused', LIMIT, async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const env = { BOARD_USER: 'pi', BOARD_PASSWORD: 's3cret pass' };
  const loginBoard = await startSerialBoard(join(dir, 'login'), 'login', env);
  try {
    let asked = 0;
    const good = await openSerialTransport(
      { kind: 'serial', name: 'l', path: loginBoard.path, baudRate: 115200, user: 'pi' },
      { timeoutMs: 10_000, password: async () => (asked++, 's3cret pass') },
    );
    assert.equal(asked, 1);
    assert.equal((await good.exec('echo in')).stdout, 'in\n');
    await good.exec('exit 0');
    await good.close();
  } finally {
    await loginBoard.stop();
  }
  const again = await startSerialBoard(join(dir, 'login2'), 'login', env);
  try {
    await assert.rejects(
      openSerialTransport({ kind: 'serial', name: 'l', path: again.path, baudRate: 115200, user: 'pi' }, { timeoutMs: 8000, password: async () => 'wrong' }),
      /refused the login/,
    );
  } finally {
    await again.stop();
  }
  const third = await startSerialBoard(join(dir, 'login3'), 'login', env);
  try {
    await assert.rejects(openSerialTransport({ kind: 'serial', name: 'l', path: third.path, baudRate: 115200 }, { timeoutMs: 8000 }), /shows a login prompt/);
  } finally {
    await third.stop();
  }
});
