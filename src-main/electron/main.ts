// Electron main process: the thin layer that applies window-options.ts, security.ts and ipc.ts.
// It is the only place (with ipc.ts) that loads the electron runtime.
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApiServices } from '../api/services';
import { registerDesktopIpc } from './desktop';
import { forwardEvents, registerIpc } from './ipc';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isExternalLink, type AppLocation } from './security';
import { createWindowOptions } from './window-options';

const devServer = process.env.ELECTRON_RENDERER_URL;
const location: AppLocation = {
  url: devServer ?? pathToFileURL(fileURLToPath(new URL('../renderer/index.html', import.meta.url))).href,
};
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

async function createWindow(services: ReturnType<typeof createApiServices>): Promise<void> {
  const window = new BrowserWindow(createWindowOptions({ preloadPath, dark: nativeTheme.shouldUseDarkColors }));
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, location)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  forwardEvents(services, contents);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(location.url);
}

app.enableSandbox();
app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  const services = createApiServices({ host: 'electron', onInternalError: (error) => console.error(error) });
  registerIpc(ipcMain, services, location);
  registerDesktopIpc(ipcMain, { dialog, shell }, location);
  await createWindow(services);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(services);
  });
  app.on('window-all-closed', () => {
    void services.dispose();
    if (process.platform !== 'darwin') app.quit();
  });
}, (error: unknown) => {
  console.error(error);
  app.exit(1);
});
