// Device channels for the Devices page: thin mappings onto the device layer's DeviceService
// (src-main/devices). Host keys are trusted only with the fingerprint the user was shown.
import { z } from 'zod';
import type { DeviceApiRequests } from './device-api-contract';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'device names use letters, digits, . _ -');
const empty = z.object({}).strict() as unknown as z.ZodType<Record<string, never>>;

export const deviceRequestSchemas: { [C in keyof DeviceApiRequests]: z.ZodType<DeviceApiRequests[C]['request']> } = {
  'devices.list': empty,
  'devices.discover': z.object({ timeoutMs: z.number().int().min(300).max(15_000).optional() }).strict(),
  'devices.scanHostKey': z.object({ ssh: z.string().min(1).max(300) }).strict(),
  'devices.addSsh': z.object({ name, ssh: z.string().min(1).max(300), keyFile: z.string().max(4096).optional(), trustFingerprint: z.string().min(8).max(200) }).strict(),
  'devices.addWithPassword': z.object({ name, ssh: z.string().min(1).max(300), password: z.string().min(1).max(1024), trustFingerprint: z.string().min(8).max(200) }).strict(),
  'devices.addSerial': z.object({ name, path: z.string().min(1).max(4096), baudRate: z.number().int().positive().max(4_000_000).optional(), user: z.string().max(100).optional() }).strict(),
  'devices.probe': z.object({ name }).strict(),
  'devices.remove': z.object({ name }).strict(),
  'devices.lastBoard': z.object({ project: z.string().min(1).max(4096) }).strict(),
};

type DeviceHandlers = { [C in keyof DeviceApiRequests]: (request: DeviceApiRequests[C]['request']) => Promise<DeviceApiRequests[C]['response']> };

export function createDeviceHandlers(): DeviceHandlers {
  const service = async () => new (await import('../devices/index')).DeviceService();
  return {
    'devices.list': async () => (await service()).list(),
    'devices.discover': async ({ timeoutMs }) => (await service()).discover(timeoutMs ? { timeoutMs } : {}),
    'devices.scanHostKey': async ({ ssh }) => (await service()).scanHostKey(ssh),
    'devices.addSsh': async ({ name, ssh, keyFile, trustFingerprint }) => {
      const added = await (await service()).addSsh({ name, ssh, trustFingerprint, ...(keyFile ? { keyFile } : {}) });
      return { name: added.device.name, arch: added.arch };
    },
    'devices.addWithPassword': async ({ name, ssh, password, trustFingerprint }) => {
      const added = await (await service()).addWithPassword({ name, ssh, password, trustFingerprint });
      return { name: added.device.name, arch: added.arch, keyFile: added.keyFile };
    },
    'devices.addSerial': async ({ name, path, baudRate, user }) => {
      const added = (await service()).addSerial({ name, path, ...(baudRate ? { baudRate } : {}), ...(user ? { user } : {}) });
      return { name: added.device.name };
    },
    'devices.probe': async ({ name }) => (await service()).probe(name),
    'devices.remove': async ({ name }) => {
      (await service()).remove(name);
      return { removed: name };
    },
    'devices.lastBoard': async ({ project }) => ({ name: (await import('../devices/last-board')).lastBoardOf(project) }),
  };
}
