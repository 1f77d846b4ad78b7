// Builds `window.edgequant`: one named function per contract channel (api.models.inspect(…)),
// `on(event, listener)` for contract events only, and `pathForFile(file)` for dropped files.
// Never a generic invoke(channel): the renderer can reach exactly the channels the contract lists.
import { API_CHANNELS, API_EVENTS, DESKTOP_CHANNELS, IPC_EVENT_CHANNEL, ipcChannel, type ApiEventName, type DesktopChooseRequest, type EdgeQuantBridge } from '../src-main/api/contract';

/** The two ipcRenderer functions the bridge uses (injected so tests can observe them). */
export interface IpcPort {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): void;
  removeListener(channel: string, listener: (event: unknown, message: unknown) => void): void;
}

/** The webUtils function the bridge uses to find a File's path on disk (injected for tests). */
export interface FilePathPort {
  getPathForFile(file: File): string;
}

export function buildBridge(ipc: IpcPort, files: FilePathPort): EdgeQuantBridge {
  const areas: Record<string, Record<string, (request?: unknown) => Promise<unknown>>> = {};
  for (const channel of API_CHANNELS) {
    const [area, verb] = channel.split('.') as [string, string];
    (areas[area] ??= {})[verb] = (request: unknown = {}) => ipc.invoke(ipcChannel(channel), request);
  }
  const on = (event: ApiEventName, listener: (payload: unknown) => void) => {
    if (!(API_EVENTS as readonly string[]).includes(event)) throw new Error(`Unknown EdgeQuant event '${String(event)}'.`);
    const wrapped = (_event: unknown, message: unknown) => {
      const m = message as { event?: string; payload?: unknown };
      if (m?.event === event) listener(m.payload);
    };
    ipc.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
  };
  // Only a File crosses in and only a path string comes back: no file access beyond that.
  const pathForFile = (file: File): string => files.getPathForFile(file);
  // Desktop-only: a native dialog's answer and "show in folder", each on its own named channel.
  const choosePath = (request: DesktopChooseRequest) => ipc.invoke(DESKTOP_CHANNELS.choose, request) as Promise<string | null>;
  const showInFolder = (path: string) => ipc.invoke(DESKTOP_CHANNELS.showInFolder, path) as Promise<boolean>;
  return { ...areas, on, pathForFile, choosePath, showInFolder } as unknown as EdgeQuantBridge;
}
