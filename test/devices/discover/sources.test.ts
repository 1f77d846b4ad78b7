// Discovery's other sources on real things: ~/.ssh/config hosts (one is the running test sshd,
// one a closed port), serial ports from a sysfs tree built here whose ttyUSB0 is a real pty board
// (socat), a USB-gadget network link with its peer from an ARP table, and the whole discovery's
// time bound. A missing serial port is refused when adding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverBoards, listUsbNetLinks, parseArpTable } from '../../../src-main/devices/discover/index';
import { DeviceInputError, DeviceService } from '../../../src-main/devices/index';
import { TestSshd, freePort, sshdMissingReason } from '../../helpers/sshd';
import { socatAvailable, startSerialBoard, type SerialBoard } from '../../helpers/serial-board';
import { files, link } from '../../helpers/file-tree';

const dir = mkdtempSync(join(tmpdir(), 'eq-discover-'));
let sshd: TestSshd | undefined;
let board: SerialBoard | undefined;

/** A machine with an FTDI adapter on ttyUSB0 (its node: the pty board) and a Pi Zero on usb0. */
function fakeMachine(root: string): void {
  const usbBus = join(root, 'sys', 'devices', 'pci0000:00', '0000:00:14.0', 'usb1');
  const ftdi = join(usbBus, '1-2');
  files(ftdi, { idVendor: '0403', idProduct: '6001', serial: 'A50285BI', manufacturer: 'FTDI', product: 'FT232R USB UART' });
  const ttyDevice = join(ftdi, '1-2:1.0', 'ttyUSB0');
  files(ttyDevice, {});
  files(join(root, 'sys', 'class', 'tty', 'ttyUSB0'), { dev: '188:0' });
  link(join(root, 'sys', 'class', 'tty', 'ttyUSB0', 'device'), ttyDevice);
  link(join(root, 'dev', 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'), join(root, 'dev', 'ttyUSB0'));
  // A Pi Zero 2 W as a USB Ethernet gadget: a composite device, CDC NCM interface, usb0; and an
  // RNDIS link nobody answered on yet.
  const zero = join(usbBus, '1-3');
  files(zero, { idVendor: '1d6b', idProduct: '0104', product: 'Pi Zero gadget' });
  const ncm = join(zero, '1-3:1.0');
  files(join(root, 'sys', 'bus', 'usb', 'drivers', 'cdc_ncm'), {});
  link(join(ncm, 'driver'), join(root, 'sys', 'bus', 'usb', 'drivers', 'cdc_ncm'));
  files(join(root, 'sys', 'class', 'net', 'usb0'), { operstate: 'up', carrier: '1' });
  link(join(root, 'sys', 'class', 'net', 'usb0', 'device'), ncm);
  const other = join(usbBus, '1-4');
  files(other, { idVendor: '0525', idProduct: 'a4a2' });
  files(join(root, 'sys', 'bus', 'usb', 'drivers', 'rndis_host'), {});
  link(join(other, '1-4:1.0', 'driver'), join(root, 'sys', 'bus', 'usb', 'drivers', 'rndis_host'));
  files(join(root, 'sys', 'class', 'net', 'usb1'), { operstate: 'down' });
  link(join(root, 'sys', 'class', 'net', 'usb1', 'device'), join(other, '1-4:1.0'));
  files(join(root, 'sys', 'class', 'net', 'lo'), { operstate: 'unknown' });
  files(join(root, 'proc', 'net'), {});
  writeFileSync(join(root, 'proc', 'net', 'arp'), [
    'IP address       HW type     Flags       HW address            Mask     Device',
    '10.55.0.1        0x1         0x2         ee:2b:31:a0:11:02     *        usb0',
    '10.55.0.9        0x1         0x0         00:00:00:00:00:00     *        usb0',
    '192.168.1.1      0x1         0x2         aa:bb:cc:dd:ee:ff     *        eth0',
  ].join('\n') + '\n');
}

before(async () => {
  fakeMachine(join(dir, 'root'));
  if (!sshdMissingReason()) sshd = await TestSshd.start();
  // The pty board appears where the kernel would put the adapter's node.
  if (socatAvailable()) board = await startSerialBoard(join(dir, 'board'), 'shell', {}, join(dir, 'root', 'dev', 'ttyUSB0'));
});

after(async () => {
  await board?.stop();
  await sshd?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('ssh config: each Host alias resolved and checked; the test sshd answers, a closed port does not', async (t) => {
  if (!sshd) return t.skip(sshdMissingReason()!);
  const home = join(dir, 'home');
  const closed = await freePort();
  files(join(home, '.ssh'), {
    config: [`Host testboard`, `  HostName 127.0.0.1`, `  Port ${sshd.port}`, `  User ${sshd.user}`, `Host gone`, `  HostName 127.0.0.1`, `  Port ${closed}`, `Host *.lab !x.lab`, `  User pi`].join('\n'),
  });
  const result = await discoverBoards({ sources: ['ssh-config'], env: { HOME: home }, timeoutMs: 1500 });
  assert.deepEqual(
    result.candidates.map((c) => c.kind === 'ssh' && [c.ssh, c.host, c.port, c.user, c.reachable]),
    [['testboard', '127.0.0.1', sshd.port, sshd.user, true], ['gone', '127.0.0.1', closed, undefined, false]],
  );
  assert.match(result.candidates[1]!.detail, /no answer now/);
  const none = await discoverBoards({ sources: ['ssh-config'], env: { HOME: join(dir, 'nohome') }, timeoutMs: 500 });
  assert.match(none.sources[0]!.note ?? '', /^no Host entries in .*\.ssh\/config\.$/);
});

test('serial: the adapter from sysfs with its USB ids and name, under its by-id path; the pty behind it answers', async (t) => {
  if (!board) return t.skip('socat absent');
  const result = await discoverBoards({ sources: ['serial'], root: join(dir, 'root'), env: {}, timeoutMs: 1500 });
  assert.equal(result.candidates.length, 1);
  const port = result.candidates[0]!;
  assert.ok(port.kind === 'serial');
  assert.deepEqual([port.label, port.vendorId, port.productId, port.usb], ['FTDI FT232R USB-UART', '0403', '6001', true]);
  assert.equal(port.path, join(dir, 'root', 'dev', 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'));
  assert.match(port.detail, /ttyUSB0, USB 0403:6001, serial A50285BI/);
  // The listed path is the real board: add it and run a command on its console.
  const service = new DeviceService({ env: { EDGEQUANT_HOME: join(dir, 'state-serial'), HOME: dir } });
  service.addSerial({ name: 'ftdi', path: port.path });
  const echoed = await service.withTransport('ftdi', (transport) => transport.exec('echo discovered-$((40+2))', { timeoutMs: 20_000 }));
  assert.equal(echoed.stdout.trim(), 'discovered-42');
});

test('serial: a port that does not exist is refused when adding, in one line', () => {
  const service = new DeviceService({ env: { EDGEQUANT_HOME: join(dir, 'state-missing'), HOME: dir } });
  assert.throws(() => service.addSerial({ name: 'gone', path: '/dev/ttyUSB97' }), (e: unknown) =>
    e instanceof DeviceInputError && /^serial port \/dev\/ttyUSB97 does not exist; plug the board in, or pick one of the ports discovery lists\./.test(e.message) && !e.message.includes('\n'));
  assert.deepEqual(service.list(), []);
});

test('USB network: gadget links from /sys/class/net with ids and driver; the peer from complete ARP entries only', async () => {
  const root = join(dir, 'root');
  assert.deepEqual(parseArpTable('IP address HW type Flags HW address Mask Device\n10.0.0.2 0x1 0x2 aa:bb:cc:dd:ee:01 * usb0\n').get('usb0'), ['10.0.0.2']);
  const links = listUsbNetLinks({ sys: join(root, 'sys'), arp: join(root, 'proc', 'net', 'arp') });
  assert.deepEqual(links.map((l) => [l.interface, l.driver, l.vendorId, l.productId, l.up, l.peers]), [
    ['usb0', 'cdc_ncm', '1d6b', '0104', true, ['10.55.0.1']],
    ['usb1', 'rndis_host', '0525', 'a4a2', false, []],
  ]);
  const result = await discoverBoards({ sources: ['usb-net'], root, env: {}, timeoutMs: 900 });
  const zero = result.candidates[0]!;
  assert.ok(zero.kind === 'ssh');
  assert.deepEqual([zero.ssh, zero.label], ['10.55.0.1', '10.55.0.1 on usb0']);
  assert.match(zero.detail, /^USB network link usb0 \(Pi Zero gadget\)/);
  assert.match(result.sources[0]!.note ?? '', /no board seen yet on usb1 \(rndis_host, down\)/);
});

test('the whole discovery (every source) returns within its budget; each source reports', async () => {
  const started = performance.now();
  const result = await discoverBoards({ root: join(dir, 'root'), env: { HOME: join(dir, 'nohome'), EDGEQUANT_MDNS_PORT: String(await freePort()) }, timeoutMs: 1200 });
  const ms = performance.now() - started;
  assert.ok(ms < 2500, `took ${Math.round(ms)} ms`);
  assert.deepEqual(result.sources.map((s) => s.source), ['serial', 'usb-net', 'mdns', 'ssh-config']);
  assert.ok(result.sources.every((s) => s.ms <= 1500), JSON.stringify(result.sources));
  assert.deepEqual([...new Set(result.candidates.map((c) => c.source))], ['serial', 'usb-net']);
});
