// Lists the serial ports of this computer with what the user recognises: USB ids, serial
// number, maker and a friendly chip or board name. On Linux the kernel's files are read
// directly (linux-ports.ts); udevadm, when present, only adds hardware-database names.
import { execFile } from 'node:child_process';
import { SerialPort } from 'serialport';
import { SerialDeviceError } from './errors';
import { listLinuxSerialPorts, type RawSerialPort } from './linux-ports';
import { normalizeUsbId, usbSerialName } from './usb-ids';

export type { RawSerialPort } from './linux-ports';

export interface SerialPortInfo {
  path: string;
  /** Lower-case 4-digit hex, when the port is a USB device. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** The USB product string the device reports. */
  product?: string;
  /** /dev/serial/by-id/… (Linux): the same port under a name that survives replugging. */
  byIdPath?: string;
  /** e.g. "Silicon Labs CP210x USB-UART", else the product, else the manufacturer, else the path. */
  friendlyName: string;
  /** True for USB adapters and boards; false for on-board UARTs (ttyS*, ttyAMA*). */
  usb: boolean;
}

export function describePort(raw: RawSerialPort): SerialPortInfo {
  const vendorId = normalizeUsbId(raw.vendorId);
  const productId = normalizeUsbId(raw.productId);
  const known = usbSerialName(vendorId, productId);
  const manufacturer = raw.manufacturer?.trim() || undefined;
  const product = raw.product?.trim() || undefined;
  const info: SerialPortInfo = {
    path: raw.path,
    friendlyName: known ?? product ?? manufacturer ?? raw.path,
    usb: vendorId !== undefined,
  };
  if (vendorId !== undefined) info.vendorId = vendorId;
  if (productId !== undefined) info.productId = productId;
  if (raw.serialNumber) info.serialNumber = raw.serialNumber;
  if (manufacturer !== undefined) info.manufacturer = manufacturer;
  if (product !== undefined) info.product = product;
  if (raw.byIdPath) info.byIdPath = raw.byIdPath;
  return info;
}

/** Names udev's hardware database gives a device (`udevadm info --query=property` output). */
export function parseUdevNames(properties: string): Pick<RawSerialPort, 'manufacturer' | 'product'> {
  const value = (key: string) => new RegExp(`^${key}=(.+)$`, 'm').exec(properties)?.[1]?.trim();
  const names: Pick<RawSerialPort, 'manufacturer' | 'product'> = {};
  const vendor = value('ID_VENDOR_FROM_DATABASE');
  const model = value('ID_MODEL_FROM_DATABASE');
  if (vendor) names.manufacturer = vendor;
  if (model) names.product = model;
  return names;
}

export type UdevLookup = (path: string) => Promise<string | undefined>;

/** `udevadm info` for one port, or undefined when udevadm is absent or says nothing in 2 s. */
export const udevadmProperties: UdevLookup = (path) =>
  new Promise((done) => {
    execFile('udevadm', ['info', '--query=property', `--name=${path}`], { timeout: 2000 }, (error, stdout) => {
      // Optional by design: without udevadm (a fresh Debian, a container) the sysfs names stand.
      done(error ? undefined : stdout);
    });
  });

/** Fills a USB port's missing maker/product names from udev's database when udevadm is there. */
async function withUdevNames(port: RawSerialPort, lookup: UdevLookup): Promise<RawSerialPort> {
  if (!port.vendorId || (port.manufacturer && port.product)) return port;
  const properties = await lookup(port.path);
  if (properties === undefined) return port;
  const names = parseUdevNames(properties);
  return { ...port, manufacturer: port.manufacturer ?? names.manufacturer, product: port.product ?? names.product };
}

export interface ListSerialPortsOptions {
  /** Raw port source: sysfs on Linux, serialport elsewhere (macOS IOKit, Windows SetupAPI). */
  list?: () => Promise<RawSerialPort[]>;
  /** Optional enrichment; never required. */
  udev?: UdevLookup;
}

const platformList = (): Promise<RawSerialPort[]> =>
  process.platform === 'linux' ? Promise.resolve(listLinuxSerialPorts()) : SerialPort.list();

/** USB ports first (what people plug in), then on-board UARTs, each sorted by path. */
export async function listSerialPorts({ list = platformList, udev = udevadmProperties }: ListSerialPortsOptions = {}): Promise<SerialPortInfo[]> {
  let raw: RawSerialPort[];
  try {
    raw = await list();
  } catch (error) {
    throw new SerialDeviceError(`Cannot list serial ports: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const enriched = await Promise.all(raw.map((port) => withUdevNames(port, udev)));
  return enriched
    .map(describePort)
    .sort((a, b) => Number(b.usb) - Number(a.usb) || a.path.localeCompare(b.path));
}
