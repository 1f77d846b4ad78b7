// Desktop-only functions of the window, outside the API contract because the browser host has
// no equivalent: native open dialogs and "show in folder". Named IPC channels, each checked
// like the contract's (the sender must be the app's own top frame).
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Dialog, IpcMain, IpcMainInvokeEvent, Shell } from 'electron';
import { DESKTOP_CHANNELS, type DesktopChooseRequest } from '../api/contract';
import { isTrustedSender, type AppLocation } from './security';

function trusted(event: IpcMainInvokeEvent, app: AppLocation): boolean {
  const frame = event.senderFrame;
  return !!frame && isTrustedSender({ url: frame.url, isMainFrame: frame.parent === null }, app);
}

export function registerDesktopIpc(ipcMain: IpcMain, electron: { dialog: Pick<Dialog, 'showOpenDialog'>; shell: Pick<Shell, 'showItemInFolder'> }, app: AppLocation): void {
  ipcMain.handle(DESKTOP_CHANNELS.choose, async (event, request: DesktopChooseRequest): Promise<string | null> => {
    if (!trusted(event, app)) return null;
    const folder = request?.kind === 'folder';
    const extensions = Array.isArray(request?.extensions) ? request.extensions.filter((e) => typeof e === 'string' && /^[a-z0-9]{1,10}$/i.test(e)) : [];
    const result = await electron.dialog.showOpenDialog({
      title: typeof request?.title === 'string' ? request.title.slice(0, 200) : undefined,
      properties: folder ? ['openDirectory', 'createDirectory'] : ['openFile'],
      ...(!folder && extensions.length ? { filters: [{ name: extensions.join(', '), extensions }] } : {}),
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  ipcMain.handle(DESKTOP_CHANNELS.showInFolder, (event, path: unknown): boolean => {
    if (!trusted(event, app) || typeof path !== 'string' || !isAbsolute(path) || !existsSync(path)) return false;
    electron.shell.showItemInFolder(path);
    return true;
  });
}
