// Listing serial ports on Linux without udevadm: a sysfs tree and /dev/serial/by-id built in a
// temp folder the way the kernel and udev lay them out, and a real pty board behind the listed
// path to show that what we list opens and answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLinuxSerialPorts, listSerialPorts, openSerialTransport, parseUdevNames, udevadmProperties } from '../../../src-main/devices/serial/index';
import { socatAvailable, startSerialBoard } from '../../helpers/serial-board';
import { files, link } from '../../helpers/file-tree';

const dir = mkdtempSync(join(tmpdir(), 'eq-sysfs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A machine with a CP2102 adapter (usb-serial), a Pico (cdc-acm), one real and one empty 8250 slot, a vt. */
function fakeMachine(root: string, devNode: (name: string) => void = (name) => writeFileSync(join(root, 'dev', name), '')) {
  const sys = join(root, 'sys');
  const dev = join(root, 'dev');
  const usbBus = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1');
  const cp2102 = join(usbBus, '1-2');
  files(cp2102, { idVendor: '10c4', idProduct: 'ea60', serial: '0001', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART Bridge Controller' });
  const cp2102Port = join(cp2102, '1-2:1.0', 'ttyUSB0');
  files(cp2102Port, { uevent: 'DRIVER=cp210x' });
  const pico = join(usbBus, '1-3');
  files(pico, { idVendor: '2e8a', idProduct: '000a', serial: 'E6614C311B4D5A2F', manufacturer: 'Raspberry Pi', product: 'Pico' });
  files(join(pico, '1-3:1.0'), { bInterfaceNumber: '00' });
  const nameless = join(usbBus, '1-4');
  files(nameless, { idVendor: 'beef', idProduct: '0001' });
  files(join(nameless, '1-4:1.0'), { bInterfaceNumber: '00' });
  const pnp = join(sys, 'devices', 'pnp0', '00:01');
  files(pnp, { id: 'PNP0501' });
  const platform = join(sys, 'devices', 'platform', 'serial8250');
  files(platform, {});
  const classTty = join(sys, 'class', 'tty');
  files(join(classTty, 'ttyUSB0'), { dev: '188:0' });
  link(join(classTty, 'ttyUSB0', 'device'), cp2102Port);
  files(join(classTty, 'ttyACM0'), { dev: '166:0' });
  link(join(classTty, 'ttyACM0', 'device'), join(pico, '1-3:1.0'));
  files(join(classTty, 'ttyACM1'), { dev: '166:1' });
  link(join(classTty, 'ttyACM1', 'device'), join(nameless, '1-4:1.0'));
  files(join(classTty, 'ttyS0'), { type: '4' });
  link(join(classTty, 'ttyS0', 'device'), pnp);
  files(join(classTty, 'ttyS1'), { type: '0' });
  link(join(classTty, 'ttyS1', 'device'), platform);
  files(join(classTty, 'tty1'), { dev: '4:1' });
  files(join(classTty, 'ttyS5'), { type: '4' }); // no device link: not a port
  mkdirSync(dev, { recursive: true });
  for (const name of ['ttyUSB0', 'ttyACM0', 'ttyACM1', 'ttyS0', 'ttyS1']) devNode(name);
  const byId = join(dev, 'serial', 'by-id');
  mkdirSync(byId, { recursive: true });
  symlinkSync('../../ttyUSB0', join(byId, 'usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0'));
  symlinkSync('../../ttyACM0', join(byId, 'usb-Raspberry_Pi_Pico_E6614C311B4D5A2F-if00'));
  symlinkSync('../../ttyUSB9', join(byId, 'usb-FTDI_unplugged-if00-port0')); // dangling: unplugged
  return { sys, dev };
}

test('sysfs: USB ids, serial, maker and product from the parent USB device; by-id names; no vt or empty 8250 slot', () => {
  const roots = fakeMachine(join(dir, 'machine'));
  const ports = listLinuxSerialPorts(roots).sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(ports, [
    { path: join(roots.dev, 'ttyACM0'), vendorId: '2e8a', productId: '000a', serialNumber: 'E6614C311B4D5A2F', manufacturer: 'Raspberry Pi', product: 'Pico', byIdPath: join(roots.dev, 'serial', 'by-id', 'usb-Raspberry_Pi_Pico_E6614C311B4D5A2F-if00') },
    { path: join(roots.dev, 'ttyACM1'), vendorId: 'beef', productId: '0001', serialNumber: undefined, manufacturer: undefined, product: undefined },
    { path: join(roots.dev, 'ttyS0') },
    {
      path: join(roots.dev, 'ttyUSB0'), vendorId: '10c4', productId: 'ea60', serialNumber: '0001', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART Bridge Controller',
      byIdPath: join(roots.dev, 'serial', 'by-id', 'usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_0001-if00-port0'),
    },
  ]);
});

test('listSerialPorts on the fake machine: USB first, friendly names, udev names only fill gaps', async () => {
  const roots = fakeMachine(join(dir, 'named'));
  const asked: string[] = [];
  const udev = async (path: string) => {
    asked.push(path);
    return 'ID_VENDOR_FROM_DATABASE=Beef Industries\nID_MODEL_FROM_DATABASE=Beef Serial Bridge\n';
  };
  const ports = await listSerialPorts({ list: async () => listLinuxSerialPorts(roots), udev });
  assert.deepEqual(ports.map((p) => [p.path.slice(roots.dev.length + 1), p.friendlyName, p.usb]), [
    ['ttyACM0', 'Raspberry Pi Pico (SDK stdio USB)', true],
    ['ttyACM1', 'Beef Serial Bridge', true],
    ['ttyUSB0', 'Silicon Labs CP210x USB-UART', true],
    ['ttyS0', join(roots.dev, 'ttyS0'), false],
  ]);
  assert.deepEqual(asked, [join(roots.dev, 'ttyACM1')], 'udevadm is asked only for a USB port sysfs leaves unnamed');
  assert.equal(ports[1]!.manufacturer, 'Beef Industries');
  // Without udevadm the same listing stands, the port just keeps its path as its name.
  const bare = await listSerialPorts({ list: async () => listLinuxSerialPorts(roots), udev: async () => undefined });
  assert.equal(bare.find((p) => p.path.endsWith('ttyACM1'))!.friendlyName, join(roots.dev, 'ttyACM1'));
});

test('no sysfs (a container): by-id links alone still list the ports; nothing at all lists nothing', () => {
  const root = join(dir, 'container');
  const dev = join(root, 'dev');
  mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
  writeFileSync(join(dev, 'ttyUSB3'), '');
  symlinkSync('../../ttyUSB3', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_A50285BI-if00-port0'));
  assert.deepEqual(listLinuxSerialPorts({ sys: join(root, 'sys'), dev }), [
    { path: join(dev, 'ttyUSB3'), byIdPath: join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_A50285BI-if00-port0') },
  ]);
  assert.deepEqual(listLinuxSerialPorts({ sys: join(root, 'none'), dev: join(root, 'none') }), []);
});

test('udev properties: hardware-database names parsed, other keys ignored', () => {
  assert.deepEqual(parseUdevNames('DEVNAME=/dev/ttyUSB0\nID_VENDOR_FROM_DATABASE=Future Technology Devices International, Ltd\nID_MODEL_FROM_DATABASE=FT232 Serial (UART) IC\n'), {
    manufacturer: 'Future Technology Devices International, Ltd',
    product: 'FT232 Serial (UART) IC',
  });
  assert.deepEqual(parseUdevNames('DEVNAME=/dev/ttyS0\n'), {});
});

test('without udevadm on PATH the lookup answers undefined and this machine still lists its ports', async () => {
  const emptyBin = join(dir, 'empty-bin');
  mkdirSync(emptyBin, { recursive: true });
  const saved = process.env.PATH;
  process.env.PATH = emptyBin;
  try {
    assert.equal(await udevadmProperties('/dev/ttyS0'), undefined);
    const ports = await listSerialPorts();
    for (const p of ports) assert.match(p.path, /^\/dev\/(tty|rfcomm)/);
  } finally {
    process.env.PATH = saved;
  }
});

test('a real pty board behind the listed path and its by-id name answers a command', { timeout: 60_000 }, async (t) => {
  if (!socatAvailable()) return t.skip('socat absent');
  const boardDir = join(dir, 'board');
  mkdirSync(boardDir, { recursive: true });
  const board = await startSerialBoard(boardDir, 'shell');
  try {
    // /dev/ttyUSB0 of the fake machine is the board's pty: opening the listed path reaches the board.
    const roots = fakeMachine(join(dir, 'with-board'), (name) => {
      const at = join(dir, 'with-board', 'dev', name);
      if (name === 'ttyUSB0') symlinkSync(board.path, at);
      else writeFileSync(at, '');
    });
    const ports = await listSerialPorts({ list: async () => listLinuxSerialPorts(roots), udev: async () => undefined });
    const cp2102 = ports.find((p) => p.vendorId === '10c4')!;
    for (const path of [cp2102.path, cp2102.byIdPath!]) {
      const transport = await openSerialTransport({ kind: 'serial', name: 'listed', path, baudRate: 115200 }, { timeoutMs: 10_000 });
      try {
        assert.deepEqual(await transport.exec('echo board-$((6*7))'), { code: 0, stdout: 'board-42\n', stderr: '' });
      } finally {
        await transport.close();
      }
    }
  } finally {
    await board.stop();
  }
});
