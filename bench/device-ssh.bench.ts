// Targets for the device layer against a real sshd on 127.0.0.1 (the board is this machine):
//  - connect + host key check + login: < 500 ms
//  - deploy throughput of a 20 MB model, cold session (SFTP, then sha256 on the board): >= 10 MB/s
//  - a whole `bench` of vww int8 with the model already deployed, 50 runs: < 3 s wall
//  - the board's p50 stays within 25% of the same runner run as "This computer"
// Run: node --import tsx bench/device-ssh.bench.ts   (prints one JSON line; exit 1 if a target is missed)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DeviceStore, LOCAL_DEVICE, benchOnDevice, deployModel, deviceTfliteLibrary, openTransport, type SshDeviceConfig } from '../src-main/devices/index';
import { tfliteCLibraryPath } from '../src-main/runtime/index';
import { TestSshd, sshdMissingReason } from '../test/helpers/sshd';
import { VWW_INT8, fixturesPresent } from '../test/devices/vww-samples';

const why = sshdMissingReason() ?? (fixturesPresent() ? undefined : '../shared/fixtures absent');
if (why) {
  console.log(`BENCH ${JSON.stringify({ name: 'device-ssh', skipped: why })}`);
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'eq-bench-ssh-'));
const sshd = await TestSshd.start({ libraryDir: dirname(tfliteCLibraryPath()) });
try {
  const store = new DeviceStore(join(work, 'state'));
  const env = { HOME: join(work, 'home') };
  const device: SshDeviceConfig = { kind: 'ssh', name: 'bench', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.clientKey };
  const connects: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const t = await openTransport(device, { store, env, confirmHostKey: async () => true });
    connects.push(performance.now() - t0);
    await t.close();
  }
  const big = join(work, 'big.tflite');
  writeFileSync(big, Buffer.concat([readFileSync(VWW_INT8), randomBytes(20 * 1024 * 1024)]));
  const t = await openTransport(device, { store, env });
  const t0 = performance.now();
  const dep = await deployModel(t, big);
  const deploySec = (performance.now() - t0) / 1000;
  await deployModel(t, VWW_INT8);
  await t.close();

  const t1 = performance.now();
  const board = await openTransport(device, { store, env });
  const onBoard = await benchOnDevice(board, device, VWW_INT8, { runs: 50, store });
  await board.close();
  const benchWallMs = performance.now() - t1;

  const local = await openTransport(LOCAL_DEVICE, { store, env });
  const onLocal = await benchOnDevice(local, LOCAL_DEVICE, VWW_INT8, { runs: 50, store, tfliteLibrary: await deviceTfliteLibrary(LOCAL_DEVICE) });
  await local.close();

  const connectMs = [...connects].sort((a, b) => a - b)[2]!;
  const mbPerSec = dep.bytes / 1e6 / deploySec;
  const ratio = onBoard.latencyMs.p50 / onLocal.latencyMs.p50;
  const result = {
    connectMs: +connectMs.toFixed(1),
    deploy20MbMBps: +mbPerSec.toFixed(1),
    benchWallMs: +benchWallMs.toFixed(0),
    boardP50Ms: onBoard.latencyMs.p50,
    localP50Ms: onLocal.latencyMs.p50,
    boardOverLocalP50: +ratio.toFixed(2),
    targets: { connectMs: 500, deploy20MbMBps: 10, benchWallMs: 3000, boardOverLocalP50: 1.25 },
  };
  console.log(`BENCH ${JSON.stringify({ name: 'device-ssh', ...result })}`);
  process.exitCode = connectMs < 500 && mbPerSec >= 10 && benchWallMs < 3000 && ratio < 1.25 ? 0 : 1;
} finally {
  await sshd.dispose();
  rmSync(work, { recursive: true, force: true });
}
