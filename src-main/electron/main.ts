// Electron main process: the thin layer that applies window-options.ts, security.ts,
// contents-rules.ts, app-protocol.ts and ipc.ts. It is the only place (with ipc.ts) that loads
// the electron runtime.
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, protocol, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { createApiServices } from '../app/services';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol';
import { secureEveryContents, secureSession } from './contents-rules';
import { registerDesktopIpc } from './desktop';
import { forwardEvents, registerIpc } from './ipc';
import { appLocation, CONTENT_SECURITY_POLICY, devContentSecurityPolicy } from './security';
import { createWindowOptions } from './window-options';

const location = appLocation({ devBuild: import.meta.env.DEV, packaged: app.isPackaged, rendererUrl: process.env.ELECTRON_RENDERER_URL });
const devServer = location.url.startsWith('http:') ? location.url : undefined;
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

async function createWindow(services: ReturnType<typeof createApiServices>): Promise<void> {
  // DevTools only when running from a checkout; a packaged app has none.
  const window = new BrowserWindow(createWindowOptions({ preloadPath, dark: nativeTheme.shouldUseDarkColors, devTools: !app.isPackaged }));
  forwardEvents(services, window.webContents);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(location.url);
}

// Before ready: the scheme must be privileged (standard, secure) before any page loads.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
app.enableSandbox();
secureEveryContents(app, { app: location, openExternal: (url) => void shell.openExternal(url) });

app.whenReady().then(async () => {
  secureSession(session.defaultSession, location);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request.url, CONTENT_SECURITY_POLICY));
  if (devServer) {
    const csp = devContentSecurityPolicy(devServer);
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
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
