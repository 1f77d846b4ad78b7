// Device channels of the API contract (types and names only).
import type { DeviceProbe, DeviceSummary, DiscoveryResult, ScannedHostKey } from '../devices/index';

export interface DeviceApiRequests {
  'devices.list': { request: Record<string, never>; response: DeviceSummary[] };
  'devices.discover': { request: { timeoutMs?: number }; response: DiscoveryResult };
  'devices.scanHostKey': { request: { ssh: string }; response: ScannedHostKey };
  'devices.addSsh': { request: { name: string; ssh: string; keyFile?: string; trustFingerprint: string }; response: { name: string; arch: string | null } };
  /** First login by password, a key pair made and installed on the board; the password is never stored. */
  'devices.addWithPassword': { request: { name: string; ssh: string; password: string; trustFingerprint: string }; response: { name: string; arch: string | null; keyFile: string } };
  'devices.addSerial': { request: { name: string; path: string; baudRate?: number; user?: string }; response: { name: string } };
  'devices.probe': { request: { name: string }; response: DeviceProbe };
  'devices.remove': { request: { name: string }; response: { removed: string } };
  /** The board the project last benchmarked on (null: none yet, or since removed). */
  'devices.lastBoard': { request: { project: string }; response: { name: string | null } };
}

export const DEVICE_API_CHANNELS = [
  'devices.list', 'devices.discover', 'devices.scanHostKey', 'devices.addSsh', 'devices.addWithPassword', 'devices.addSerial', 'devices.probe', 'devices.remove', 'devices.lastBoard',
] as const satisfies readonly (keyof DeviceApiRequests)[];
