// Linux serial ports read straight from the kernel: /sys/class/tty for the ports and their USB
// parent's ids, /dev/serial/by-id for stable names. serialport's own Linux lister spawns
// `udevadm`, which a fresh Debian machine or a container may not have (issue 15); this one needs
// nothing but the file system. The roots are parameters so tests build a fake tree.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** What one port's sysfs and by-id entries say; describePort() turns it into SerialPortInfo. */
export interface RawSerialPort {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  /** The USB device's product string, e.g. "CP2102 USB to UART Bridge Controller". */
  product?: string | undefined;
  /** /dev/serial/by-id/… : a name that survives replugging and reboots. */
  byIdPath?: string | undefined;
}

export interface LinuxRoots {
  /** Where sysfs is mounted. */
  sys?: string;
  /** Where device nodes live. */
  dev?: string;
}

/** Serial tty names (serialport's set plus Jetson's ttyTHS and i.MX's ttymxc); not consoles or ptys. */
const SERIAL_TTY = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB|THS|mxc)\d+|rfcomm\d+)$/;
/** How far above the tty's device node the USB device (with idVendor) may sit. */
const USB_PARENT_DEPTH = 4;

function readAttribute(dir: string, name: string): string | undefined {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  const value = readFileSync(file, 'utf8').trim();
  return value.length > 0 ? value : undefined;
}

/** The USB device directory above a tty's device (usb-serial: 2 levels up, cdc-acm: 1). */
function usbParent(deviceDir: string, sysRoot: string): string | undefined {
  let dir = deviceDir;
  for (let level = 0; level <= USB_PARENT_DEPTH && dir.startsWith(sysRoot) && dir !== sysRoot; level++) {
    if (existsSync(join(dir, 'idVendor')) && existsSync(join(dir, 'idProduct'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** An 8250 slot with no UART behind it reports type 0 (PORT_UNKNOWN): not a port to offer. */
function isEmptyUartSlot(classDir: string): boolean {
  return readAttribute(classDir, 'type') === '0';
}

/** by-id link name → the tty name it points at (one readlink; the links are ../../ttyUSB0). */
function byIdLinks(devRoot: string): Map<string, string> {
  const dir = join(devRoot, 'serial', 'by-id');
  const byName = new Map<string, string>();
  if (!existsSync(dir)) return byName;
  for (const link of readdirSync(dir).sort()) {
    let target: string;
    try {
      target = basename(resolve(dir, readlinkSync(join(dir, link))));
    } catch (error) {
      // udev only puts symlinks here; a link removed while we list it is skipped.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EINVAL') continue;
      throw error;
    }
    if (!byName.has(target)) byName.set(target, join(dir, link));
  }
  return byName;
}

function sysfsPort(name: string, sysRoot: string, devRoot: string): RawSerialPort | undefined {
  try {
    return readSysfsPort(name, sysRoot, devRoot);
  } catch (error) {
    // A port unplugged while we read it is simply gone; anything else is a real failure.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readSysfsPort(name: string, sysRoot: string, devRoot: string): RawSerialPort | undefined {
  const classDir = join(sysRoot, 'class', 'tty', name);
  const deviceLink = join(classDir, 'device');
  // A tty without a device behind it is virtual (console, vt, pty): not a serial port.
  if (!existsSync(deviceLink) || isEmptyUartSlot(classDir)) return undefined;
  const port: RawSerialPort = { path: join(devRoot, name) };
  const usb = usbParent(realpathSync(deviceLink), realpathSync(sysRoot));
  if (usb) {
    port.vendorId = readAttribute(usb, 'idVendor');
    port.productId = readAttribute(usb, 'idProduct');
    port.serialNumber = readAttribute(usb, 'serial');
    port.manufacturer = readAttribute(usb, 'manufacturer');
    port.product = readAttribute(usb, 'product');
  }
  return port;
}

/** Every serial port sysfs knows, plus any by-id link whose tty sysfs does not show (no /sys in a container). */
export function listLinuxSerialPorts({ sys = '/sys', dev = '/dev' }: LinuxRoots = {}): RawSerialPort[] {
  const classRoot = join(sys, 'class', 'tty');
  const names = existsSync(classRoot) ? readdirSync(classRoot).filter((name) => SERIAL_TTY.test(name)) : [];
  const byId = byIdLinks(dev);
  const ports = new Map<string, RawSerialPort>();
  for (const name of names) {
    const port = sysfsPort(name, sys, dev);
    if (port) ports.set(name, port);
  }
  for (const [name, link] of byId) {
    // A dangling link (unplugged a moment ago) names no port.
    if (!ports.has(name) && !existsSync(join(dev, name))) continue;
    const port = ports.get(name) ?? { path: join(dev, name) };
    port.byIdPath = link;
    ports.set(name, port);
  }
  return [...ports.values()];
}
