// Friendly names for the USB-serial chips and boards people plug in. Data only; the lookup
// below is the one place that reads it. Ids are lower-case hex as serialport reports them.

interface UsbSerialName {
  vendorId: string;
  /** Absent: every product of that vendor. */
  productId?: string;
  name: string;
}

export const USB_SERIAL_NAMES: readonly UsbSerialName[] = [
  { vendorId: '0403', productId: '6001', name: 'FTDI FT232R USB-UART' },
  { vendorId: '0403', productId: '6010', name: 'FTDI FT2232 dual USB-UART' },
  { vendorId: '0403', productId: '6011', name: 'FTDI FT4232 quad USB-UART' },
  { vendorId: '0403', productId: '6014', name: 'FTDI FT232H USB-UART' },
  { vendorId: '0403', productId: '6015', name: 'FTDI FT-X series USB-UART' },
  { vendorId: '0403', name: 'FTDI USB-serial adapter' },
  { vendorId: '10c4', productId: 'ea60', name: 'Silicon Labs CP210x USB-UART' },
  { vendorId: '10c4', productId: 'ea70', name: 'Silicon Labs CP2105 dual USB-UART' },
  { vendorId: '1a86', productId: '7523', name: 'WCH CH340 USB-serial' },
  { vendorId: '1a86', productId: '7522', name: 'WCH CH340K USB-serial' },
  { vendorId: '1a86', productId: '55d4', name: 'WCH CH9102 USB-serial' },
  { vendorId: '1a86', productId: '55d3', name: 'WCH CH343 USB-serial' },
  { vendorId: '067b', productId: '2303', name: 'Prolific PL2303 USB-serial' },
  { vendorId: '067b', productId: '23a3', name: 'Prolific PL2303GC USB-serial' },
  { vendorId: '2e8a', productId: '0005', name: 'Raspberry Pi Pico (MicroPython)' },
  { vendorId: '2e8a', productId: '000a', name: 'Raspberry Pi Pico (SDK stdio USB)' },
  { vendorId: '2e8a', productId: '000c', name: 'Raspberry Pi Debug Probe' },
  { vendorId: '2e8a', name: 'Raspberry Pi RP2040/RP2350 board' },
  { vendorId: '2341', name: 'Arduino board' },
  { vendorId: '2a03', name: 'Arduino board (arduino.org)' },
  { vendorId: '303a', productId: '1001', name: 'Espressif ESP32-S3/C3 USB JTAG/serial' },
  { vendorId: '303a', name: 'Espressif ESP32 board' },
  { vendorId: '1d6b', productId: '0104', name: 'Linux USB gadget (multifunction composite)' },
  { vendorId: '0525', productId: 'a4a7', name: 'Linux USB gadget serial (CDC ACM)' },
  { vendorId: '0525', productId: 'a4a6', name: 'Linux USB gadget serial' },
  { vendorId: '0483', productId: '5740', name: 'STMicroelectronics virtual COM port' },
  { vendorId: '0483', productId: '374b', name: 'ST-LINK/V2-1 virtual COM port' },
  { vendorId: '1366', name: 'SEGGER J-Link virtual COM port' },
  { vendorId: '0d28', productId: '0204', name: 'Arm DAPLink CMSIS-DAP serial' },
  { vendorId: '239a', name: 'Adafruit board' },
  { vendorId: '1209', name: 'pid.codes open-hardware device' },
];

function normalizeId(id: string | undefined): string | undefined {
  if (id === undefined || id === '') return undefined;
  return id.toLowerCase().replace(/^0x/, '').padStart(4, '0');
}

/** The best friendly name for a vendor/product pair: an exact product first, then the vendor. */
export function usbSerialName(vendorId: string | undefined, productId: string | undefined): string | undefined {
  const vid = normalizeId(vendorId);
  const pid = normalizeId(productId);
  if (vid === undefined) return undefined;
  const exact = USB_SERIAL_NAMES.find((e) => e.vendorId === vid && e.productId !== undefined && e.productId === pid);
  return (exact ?? USB_SERIAL_NAMES.find((e) => e.vendorId === vid && e.productId === undefined))?.name;
}

export { normalizeId as normalizeUsbId };
