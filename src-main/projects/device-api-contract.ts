// Device channels of the API contract (types and names only).
import type { DeviceProbe, DeviceSummary, ScannedHostKey } from '../devices/index';

export interface DeviceApiRequests {
  'devices.list': { request: Record<string, never>; response: DeviceSummary[] };
  'devices.scanHostKey': { request: { ssh: string }; response: ScannedHostKey };
  'devices.addSsh': { request: { name: string; ssh: string; keyFile?: string; trustFingerprint: string }; response: { name: string; arch: string | null } };
  'devices.addSerial': { request: { name: string; path: string; baudRate?: number; user?: string }; response: { name: string } };
  'devices.probe': { request: { name: string }; response: DeviceProbe };
  'devices.remove': { request: { name: string }; response: { removed: string } };
}

export const DEVICE_API_CHANNELS = ['devices.list', 'devices.scanHostKey', 'devices.addSsh', 'devices.addSerial', 'devices.probe', 'devices.remove'] as const satisfies readonly (keyof DeviceApiRequests)[];

