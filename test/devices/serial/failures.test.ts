// What goes wrong with serial consoles, on real ptys: the far end dies mid-transfer (cable
// pulled), a wrong baud rate (garbage), a busy console, silence, a missing port. Each must give
// one clear line within the timeout and release the port.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerialTransport, SerialDeviceError } from '../../../src-main/devices/serial/index';
import { PortLink } from '../../../src-main/devices/serial/port-link';
import { OperationError } from '../../../src-main/errors';
import { socatAvailable, startSerialBoard, type BoardKind } from '../../helpers/serial-board';

const dir = mkdtempSync(join(tmpdir(), 'eq-serial-fail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openFdsTo(device: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === device) count++;
    } catch {
      // The fd closed between listing and reading: not ours to count.
    }
  }
  return count;
}

test('far end killed mid-transfer: one-line error, port closed, nothing at the target; a retry succeeds', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const local = join(dir, 'model.bin');
  // 1 MB: the kill lands at 200 kB, well inside the transfer; the retry sends it all again (4 MB took ~45 s).
  const data = randomBytes(1_000_000);
  writeFileSync(local, data);
  const board = await startSerialBoard(join(dir, 'kill'), 'shell');
  const device = realpathSync(board.path);
  const transport = await openSerialTransport({ kind: 'serial', name: 'b', path: board.path, baudRate: 115200 }, { timeoutMs: 10_000 });
  assert.equal(openFdsTo(device), 1);
  let killed = false;
  const started = performance.now();
  await assert.rejects(
    transport.upload(local, '~/models/model.bin', (p) => {
      if (!killed && p.bytesDone > 200_000) {
        killed = true;
        void board.kill();
      }
    }),
    (e: unknown) => e instanceof SerialDeviceError && e.exitCode === 1 && /serial link .* was lost/.test(e.message) && !e.message.includes('\n'),
  );
  assert.ok(killed, 'the far end was killed during the upload');
  // Not a speed check: it fails instead of hanging. A killed far end takes no more bytes, so the
  // write gives up after its stall limit (20 s + 4× the chunk's line time, ~28 s here), after
  // the ~200 kB sent before the kill (1–3 s, more on a loaded machine).
  assert.ok(performance.now() - started < 50_000, 'the upload failed instead of hanging');
  await transport.close();
  assert.equal(openFdsTo(device), 0, 'the port is released');
  assert.equal(existsSync(join(board.home, 'models/model.bin')), false, 'nothing half-transferred at the target name');

  const retryBoard = await startSerialBoard(join(dir, 'kill'), 'shell');
  try {
    const retry = await openSerialTransport({ kind: 'serial', name: 'b', path: retryBoard.path, baudRate: 115200 }, { timeoutMs: 10_000 });
    try {
      await retry.upload(local, '~/models/model.bin');
      const sha = (await retry.exec('sha256sum models/model.bin')).stdout.slice(0, 64);
      assert.equal(sha, createHash('sha256').update(data).digest('hex'));
      assert.deepEqual(readFileSync(join(retryBoard.home, 'models/model.bin')), data);
    } finally {
      await retry.close();
    }
  } finally {
    await retryBoard.stop();
  }
});

async function expectNoShell(kind: BoardKind, pattern: RegExp, t: { skip: (m: string) => void; diagnostic: (m: string) => void }) {
  if (!socatAvailable()) return t.skip('socat absent');
  const board = await startSerialBoard(join(dir, kind), kind);
  const device = realpathSync(board.path);
  try {
    const started = performance.now();
    const error = await openSerialTransport({ kind: 'serial', name: kind, path: board.path, baudRate: 115200 }, { timeoutMs: 4000 }).then(
      () => assert.fail('connected to a board that has no shell'),
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    assert.ok(error instanceof OperationError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'));
    t.diagnostic(`${kind}: ${Math.round(elapsed)} ms: ${error.message}`);
    assert.ok(elapsed >= 3500 && elapsed < 6000, `gave up after ${elapsed} ms (limit 4000)`);
    assert.equal(openFdsTo(device), 0, 'the port is released');
  } finally {
    await board.stop();
  }
}

test('wrong baud rate (random non-text bytes, no prompt): clear error within the timeout', (t) =>
  expectNoShell('garbage', /Unreadable data .* at 115200 baud .* the baud rate is probably wrong/, t));

test('busy console (a program printing logs): clear error within the timeout', (t) =>
  expectNoShell('busy', /No shell prompt .* busy .*last line: '\[worker\] step \d+ running'/, t));

test('silent port: clear error within the timeout', (t) => expectNoShell('silent', /No answer from serial .* within 4 s/, t));

test('a board that stops taking bytes: the write fails with one line within its limit, instead of hanging, and the port is released', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  // The busy board never reads its console: once the pty buffers fill, writes block.
  const board = await startSerialBoard(join(dir, 'stall'), 'busy');
  const device = realpathSync(board.path);
  // A fast nominal baud keeps the limit (20 s + 4× line time) short.
  const link = await PortLink.open({ path: board.path, baudRate: 4_000_000 });
  try {
    const started = performance.now();
    let written = 0;
    await assert.rejects(
      (async () => {
        for (; written < 4_000_000; written += 16_384) await link.write(new Uint8Array(16_384).fill(65));
      })(),
      (e: unknown) => e instanceof SerialDeviceError && /took no data for 20 s/.test(e.message) && !e.message.includes('\n'),
    );
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`stalled after ${written} B; failed after ${seconds.toFixed(1)} s`);
    assert.ok(written < 4_000_000 && seconds < 30, `${written} B, ${seconds} s`);
    await assert.rejects(link.write('echo more\n'), SerialDeviceError, 'the link stays lost');
  } finally {
    await link.close();
    await board.stop();
  }
  assert.equal(openFdsTo(device), 0, 'the port is closed');
});

test('a port that does not exist: one line naming the path', async () => {
  const missing = join(dir, 'ttyNOPE');
  await assert.rejects(
    openSerialTransport({ kind: 'serial', name: 'x', path: missing, baudRate: 115200 }),
    (e: unknown) => e instanceof SerialDeviceError && e.message.includes(`${missing} does not exist`),
  );
});
