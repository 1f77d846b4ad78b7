// Lists the serial ports of this computer with what the user recognises: USB ids, serial
// number, maker and a friendly chip or board name.
import { SerialPort } from 'serialport';
import { SerialDeviceError } from './errors';
import { normalizeUsbId, usbSerialName } from './usb-ids';

export interface SerialPortInfo {
  path: string;
  /** Lower-case 4-digit hex, when the port is a USB device. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** e.g. "Silicon Labs CP210x USB-UART", else the manufacturer, else the path. */
  friendlyName: string;
  /** True for USB adapters and boards; false for on-board UARTs (ttyS*, ttyAMA*). */
  usb: boolean;
}

type RawPortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

export function describePort(raw: RawPortInfo): SerialPortInfo {
  const vendorId = normalizeUsbId(raw.vendorId);
  const productId = normalizeUsbId(raw.productId);
  const known = usbSerialName(vendorId, productId);
  const manufacturer = raw.manufacturer?.trim() || undefined;
  const info: SerialPortInfo = {
    path: raw.path,
    friendlyName: known ?? manufacturer ?? raw.path,
    usb: vendorId !== undefined,
  };
  if (vendorId !== undefined) info.vendorId = vendorId;
  if (productId !== undefined) info.productId = productId;
  if (raw.serialNumber) info.serialNumber = raw.serialNumber;
  if (manufacturer !== undefined) info.manufacturer = manufacturer;
  return info;
}

/** USB ports first (what people plug in), then on-board UARTs, each sorted by path. */
export async function listSerialPorts(list: () => Promise<RawPortInfo[]> = () => SerialPort.list()): Promise<SerialPortInfo[]> {
  let raw: RawPortInfo[];
  try {
    raw = await list();
  } catch (error) {
    throw new SerialDeviceError(`Cannot list serial ports: ${error instanceof Error ? error.message : String(error)}.`);
  }
  return raw
    .map(describePort)
    .sort((a, b) => Number(b.usb) - Number(a.usb) || a.path.localeCompare(b.path));
}
