// Registers one ipcMain.handle per contract channel. Every call is checked: the sender must be
// the app's own top frame (security.ts); the payload is validated by dispatch (zod schemas).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { API_CHANNELS, IPC_EVENT_CHANNEL, ipcChannel, type ApiResult } from '../api/contract';
import type { ApiServices } from '../app/services';
import { isTrustedSender, type AppLocation } from './security';

function senderFrame(event: IpcMainInvokeEvent): { url: string; isMainFrame: boolean } | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame.parent === null };
}

export function registerIpc(ipcMain: IpcMain, services: ApiServices, app: AppLocation): () => void {
  for (const channel of API_CHANNELS) {
    ipcMain.handle(ipcChannel(channel), async (event, payload: unknown): Promise<ApiResult<unknown>> => {
      if (!isTrustedSender(senderFrame(event), app)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'This page may not use the EdgeQuant API.' } };
      }
      return services.dispatch(channel, payload);
    });
  }
  return () => {
    for (const channel of API_CHANNELS) ipcMain.removeHandler(ipcChannel(channel));
  };
}

/** Forwards contract events to a window's page until it is destroyed. */
export function forwardEvents(services: ApiServices, contents: WebContents): void {
  const unsubscribe = services.events.subscribe((event, payload) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, { event, payload });
  });
  contents.once('destroyed', unsubscribe);
}
