import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describePort, listSerialPorts, usbSerialName } from '../../../src-main/devices/serial/index';
import { posixCksum } from '../../../src-main/devices/serial/cksum';
import { estimateTransferSeconds, chunkSizeFor, planUpload } from '../../../src-main/devices/serial/transfer';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const vww = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');

test('friendly names: exact product first, then the vendor, ids normalised', () => {
  assert.equal(usbSerialName('10C4', 'EA60'), 'Silicon Labs CP210x USB-UART');
  assert.equal(usbSerialName('1a86', '7523'), 'WCH CH340 USB-serial');
  assert.equal(usbSerialName('0x2e8a', '0x000a'), 'Raspberry Pi Pico (SDK stdio USB)');
  assert.equal(usbSerialName('2341', '0043'), 'Arduino board');
  assert.equal(usbSerialName('303a', '9999'), 'Espressif ESP32 board');
  assert.equal(usbSerialName('ffff', '0001'), undefined);
  assert.equal(usbSerialName(undefined, undefined), undefined);
});

test('describePort keeps ids, serial number and maker; unknown USB falls back to the product, then the maker', () => {
  const ftdi = describePort({ path: '/dev/ttyUSB0', manufacturer: 'FTDI', serialNumber: 'A50285BI', vendorId: '0403', productId: '6001' });
  assert.deepEqual(ftdi, { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'A50285BI', manufacturer: 'FTDI', friendlyName: 'FTDI FT232R USB-UART', usb: true });
  const other = describePort({ path: '/dev/ttyACM3', manufacturer: 'Acme', serialNumber: undefined, vendorId: 'beef', productId: '0001' });
  assert.equal(other.friendlyName, 'Acme');
  assert.equal(describePort({ path: '/dev/ttyACM3', manufacturer: 'Acme', vendorId: 'beef', productId: '0001', product: 'Acme Dev Board' }).friendlyName, 'Acme Dev Board');
  const uart = describePort({ path: '/dev/ttyS0', manufacturer: undefined, serialNumber: undefined, vendorId: undefined, productId: undefined });
  assert.deepEqual(uart, { path: '/dev/ttyS0', friendlyName: '/dev/ttyS0', usb: false });
});

test('listSerialPorts lists this machine (sysfs on Linux, no udevadm needed; USB first)', async () => {
  const ports = await listSerialPorts();
  assert.ok(Array.isArray(ports));
  for (const p of ports) assert.match(p.path, /^\/dev\//);
  const firstUart = ports.findIndex((p) => !p.usb);
  if (firstUart !== -1) assert.ok(ports.slice(firstUart).every((p) => !p.usb));
});

test('posixCksum equals the cksum program on random data', (t) => {
  if (spawnSync('cksum', ['--version']).error) return t.skip('cksum program absent');
  for (const size of [0, 1, 255, 256, 65_537, 300_001]) {
    const data = randomBytes(size);
    const out = spawnSync('cksum', { input: data }).stdout.toString().trim();
    assert.equal(`${posixCksum(data)} ${size}`, out, `size ${size}`);
  }
});

test('transfer estimate: a 4 MB model at 115200 baud takes minutes, at 1.5 Mbaud seconds', () => {
  const fourMb = 4 * 1024 * 1024;
  const at115k = estimateTransferSeconds(fourMb, 115200);
  // 4 MiB → 5.67 MB of base64 text → 56.7 Mbit on the line; 115200 baud carries 11520 bytes/s.
  assert.ok(at115k > 480 && at115k < 560, `${at115k} s`);
  assert.ok(estimateTransferSeconds(fourMb, 1_500_000) < 45);
  assert.ok(chunkSizeFor(115200) >= 8 * 1024 && chunkSizeFor(115200) <= 20 * 1024);
  assert.equal(chunkSizeFor(9600) >= 2048, true);
});

test('upload plan: incompressible data costs base64 + framing, a compressible int8 model much less', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-plan-'));
  try {
    const random = join(dir, 'random.bin');
    writeFileSync(random, randomBytes(4 * 1024 * 1024));
    const plan = await planUpload(random, 115200);
    t.diagnostic(`4 MiB incompressible at 115200 baud: ${plan.wireBytes} line bytes, ${(plan.seconds / 60).toFixed(1)} min`);
    assert.ok(plan.wireBytes / plan.bytes > 1.35 && plan.wireBytes / plan.bytes < 1.37);
    assert.ok(Math.abs(plan.seconds - estimateTransferSeconds(plan.bytes, 115200)) / plan.seconds < 0.01);
    if (!existsSync(vww)) return t.skip('../shared/fixtures absent');
    const model = await planUpload(vww, 115200);
    t.diagnostic(`vww_96_int8 (${model.bytes} B) at 115200 baud: ${model.wireBytes} line bytes, ${model.seconds.toFixed(0)} s (gzip)`);
    assert.ok(model.wireBytes < model.bytes * 0.6);
    assert.ok((await planUpload(vww, 115200, false)).wireBytes > model.bytes * 1.35);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
