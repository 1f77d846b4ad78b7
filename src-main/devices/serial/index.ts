// Serial console boards: list ports, open a BoardTransport on a Linux board's console.
export { openSerialTransport, DEFAULT_BAUD_RATE, type SerialOpenOptions, type SerialBoardTransport } from './transport';
export { listSerialPorts, describePort, parseUdevNames, udevadmProperties, type SerialPortInfo, type RawSerialPort, type UdevLookup } from './ports';
export { listLinuxSerialPorts } from './linux-ports';
export { usbSerialName, USB_SERIAL_NAMES } from './usb-ids';
export { estimateTransferSeconds, chunkSizeFor, planUpload, lineBytesPerSecond, type SerialTransferProgress, type UploadPlan } from './transfer';
export { SerialDeviceError } from './errors';
