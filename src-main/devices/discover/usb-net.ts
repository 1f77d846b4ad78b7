// Discovery source: USB-gadget network links (a Pi Zero/4/5 plugged in as "Ethernet over USB":
// usb0, enx…, rndis/ncm/ecm drivers) read from /sys/class/net, and the board at the other end
// read from the kernel's neighbour table (/proc/net/arp). Roots are parameters for tests.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Host-side drivers of USB network gadgets. */
const GADGET_DRIVERS = new Set(['rndis_host', 'cdc_ncm', 'cdc_ether', 'cdc_eem', 'cdc_subset']);

export interface UsbNetLink {
  interface: string;
  driver?: string;
  vendorId?: string;
  productId?: string;
  product?: string;
  /** Up (operstate "up" or "unknown" with carrier). */
  up: boolean;
  /** IPv4 addresses seen at the other end (complete ARP entries on this interface). */
  peers: string[];
}

export interface UsbNetRoots {
  sys?: string;
  /** The ARP table file (default /proc/net/arp). */
  arp?: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (error) {
    // Attributes a driver does not provide are simply absent.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw error;
  }
}

/** Complete ARP entries (flags 0x2) by interface name. */
export function parseArpTable(text: string): Map<string, string[]> {
  const byInterface = new Map<string, string[]>();
  for (const line of text.split('\n').slice(1)) {
    const [ip, , flags, mac, , device] = line.trim().split(/\s+/);
    if (!ip || !device || !flags || (Number(flags) & 0x2) === 0 || mac === '00:00:00:00:00:00') continue;
    byInterface.set(device, [...(byInterface.get(device) ?? []), ip]);
  }
  return byInterface;
}

export function listUsbNetLinks({ sys = '/sys', arp = '/proc/net/arp' }: UsbNetRoots = {}): UsbNetLink[] {
  const netRoot = join(sys, 'class', 'net');
  if (!existsSync(netRoot)) return [];
  const peers = existsSync(arp) ? parseArpTable(readFileSync(arp, 'utf8')) : new Map<string, string[]>();
  const links: UsbNetLink[] = [];
  for (const name of readdirSync(netRoot).sort()) {
    const ifDir = join(netRoot, name);
    const deviceLink = join(ifDir, 'device');
    if (!existsSync(deviceLink)) continue; // virtual interface (lo, bridges, veth)
    const driverLink = join(deviceLink, 'driver');
    const driver = existsSync(driverLink) ? basename(readlinkSync(driverLink)) : undefined;
    if (!(driver && GADGET_DRIVERS.has(driver)) && !/^usb\d+$/.test(name)) continue;
    // The interface's device is the USB interface (1-2:1.0); its parent holds the ids.
    const usbDevice = dirname(realpathSync(deviceLink));
    const operstate = read(join(ifDir, 'operstate'));
    const link: UsbNetLink = {
      interface: name,
      up: operstate === 'up' || (operstate === 'unknown' && read(join(ifDir, 'carrier')) === '1'),
      peers: peers.get(name) ?? [],
    };
    if (driver) link.driver = driver;
    const vendorId = read(join(usbDevice, 'idVendor'));
    const productId = read(join(usbDevice, 'idProduct'));
    const product = read(join(usbDevice, 'product'));
    if (vendorId) link.vendorId = vendorId;
    if (productId) link.productId = productId;
    if (product) link.product = product;
    links.push(link);
  }
  return links;
}
