// One entry point from a stored device to a live connection, whatever its kind.
import { join } from 'node:path';
import type { DeviceConfig } from './types';
import type { BoardTransport } from './transport';
import { DeviceStore } from './store';
import { LocalTransport } from './local-transport';
import { SshTransport, type SshConnectOptions } from './ssh/transport';
import { tfliteCLibraryPathFallback } from './local-library';

export const LOCAL_DEVICE: DeviceConfig = { kind: 'local', name: 'local' };

export interface OpenTransportOptions extends Partial<SshConnectOptions> {
  store?: DeviceStore;
  env?: NodeJS.ProcessEnv;
}

export async function openTransport(device: DeviceConfig, options: OpenTransportOptions = {}): Promise<BoardTransport> {
  const env = options.env ?? process.env;
  const store = options.store ?? new DeviceStore();
  switch (device.kind) {
    case 'ssh':
      return SshTransport.connect(device, { ...options, store, env });
    case 'serial': {
      // Loaded on demand: only serial boards need the serialport native binding.
      const { openSerialTransport } = await import('./serial/index');
      return openSerialTransport(device, { ...options, connectTimeoutMs: options.connectTimeoutMs });
    }
    case 'local':
      return new LocalTransport(join(store.dir, 'local-board'), env);
  }
}

/** The TFLite C library the runner should load on this device, when the app knows one. */
export async function deviceTfliteLibrary(device: DeviceConfig): Promise<string | undefined> {
  if (device.kind !== 'local') return device.tfliteLibrary;
  if (process.platform === 'linux') {
    const { tfliteCLibraryPath } = await import('../runtime/index');
    return tfliteCLibraryPath();
  }
  return tfliteCLibraryPathFallback();
}

/** The named stored device, or "This computer" for 'local'. */
export function resolveDevice(name: string, store: DeviceStore): DeviceConfig {
  return name === 'local' ? LOCAL_DEVICE : store.requireDevice(name);
}
