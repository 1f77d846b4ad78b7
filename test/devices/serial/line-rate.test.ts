// The transfer estimate against a line that really carries 115200 baud (11,520 bytes/s each
// way, with back-pressure): the first ETA, from the plan, must predict the real duration.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerialTransport, planUpload, type SerialTransferProgress } from '../../../src-main/devices/serial/index';
import { socatAvailable, startSerialBoard } from '../../helpers/serial-board';

const dir = mkdtempSync(join(tmpdir(), 'eq-serial-line-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('at 115200 baud the first ETA predicts the upload time within 20 % and the ETA counts down', async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const board = await startSerialBoard(dir, 'line115200');
  try {
    const transport = await openSerialTransport({ kind: 'serial', name: 'slow', path: board.path, baudRate: 115200 }, { timeoutMs: 15_000 });
    try {
      const local = join(dir, 'payload.bin');
      const data = randomBytes(60_000);
      writeFileSync(local, data);
      const plan = await planUpload(local, 115200);
      const progress: { at: number; p: SerialTransferProgress }[] = [];
      const started = performance.now();
      await transport.upload(local, 'payload.bin', (p) => progress.push({ at: performance.now(), p }));
      const seconds = (performance.now() - started) / 1000;
      const firstEta = progress[0]!.p.etaSeconds;
      t.diagnostic(`60 kB at 115200 baud: took ${seconds.toFixed(1)} s, first ETA ${firstEta.toFixed(1)} s, plan ${plan.seconds.toFixed(1)} s, measured ${(progress.at(-1)!.p.bytesPerSecond / 1024).toFixed(1)} KiB/s`);
      assert.ok(Math.abs(firstEta - seconds) / seconds < 0.2, `first ETA ${firstEta} s vs ${seconds} s`);
      // Mid-way the ETA plus the time spent is still the real duration.
      const mid = progress[Math.floor(progress.length / 2)]!;
      const predicted = (mid.at - started) / 1000 + mid.p.etaSeconds;
      assert.ok(Math.abs(predicted - seconds) / seconds < 0.2, `mid-way prediction ${predicted} s vs ${seconds} s`);
      assert.equal((await transport.exec('sha256sum payload.bin')).stdout.slice(0, 64), createHash('sha256').update(data).digest('hex'));
      assert.deepEqual(readFileSync(join(board.home, 'payload.bin')), data);
    } finally {
      await transport.close();
    }
  } finally {
    await board.stop();
  }
});
