// The security rules every webContents and every session gets, applied from app-level events
// (web-contents-created, session-created) so that no window, iframe or later webContents is
// left out. Typed against the few members used, so tests call them with plain fake objects
// (the Electron binary cannot run here); main.ts passes the real ones.
import { isAllowedNavigation, isExternalLink, isPermissionAllowed, type AppLocation } from './security';

/** The navigation events share one shape: the target URL on the event, preventDefault to stop it. */
export const NAVIGATION_EVENTS = ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const;

interface Preventable {
  preventDefault(): void;
}

/** The webContents members the rules use. */
export interface ContentsLike {
  on(event: (typeof NAVIGATION_EVENTS)[number], listener: (event: Preventable & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  on(event: 'select-bluetooth-device', listener: (event: Preventable, devices: unknown[], callback: (deviceId: string) => void) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface ContentsRuleOptions {
  app: AppLocation;
  /** Opens a web link in the system browser (shell.openExternal). */
  openExternal(url: string): void;
}

export function secureWebContents(contents: ContentsLike, { app, openExternal }: ContentsRuleOptions): void {
  for (const name of NAVIGATION_EVENTS) {
    contents.on(name, (event) => {
      if (!isAllowedNavigation(event.url, app)) event.preventDefault();
    });
  }
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) openExternal(url);
    return { action: 'deny' };
  });
}

type DevicePicker = (event: Preventable, details: unknown, callback: (deviceId?: string | null) => void) => void;

/** The session members the rules use. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  setBluetoothPairingHandler?(handler: (details: unknown, callback: (response: { confirmed: boolean }) => void) => void): void;
  on(event: 'select-hid-device' | 'select-serial-port' | 'select-usb-device', listener: DevicePicker): unknown;
}

/** The page-side device pickers: the app talks to serial ports from main, never from the page. */
export const DEVICE_PICKER_EVENTS = ['select-hid-device', 'select-serial-port', 'select-usb-device'] as const;

const secured = new WeakSet<SessionLike>();

/** Idempotent: the default session is secured at ready and may also arrive by session-created. */
export function secureSession(session: SessionLike, app: AppLocation): void {
  if (secured.has(session)) return;
  secured.add(session);
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl, app)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, app));
  session.setDevicePermissionHandler(() => false);
  session.setBluetoothPairingHandler?.((_details, callback) => callback({ confirmed: false }));
  for (const name of DEVICE_PICKER_EVENTS) {
    session.on(name, (event, _details, callback) => {
      event.preventDefault();
      callback('');
    });
  }
}

/** The app-level events that hand out every webContents and session ever created. */
export interface AppLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: ContentsLike) => void): unknown;
  on(event: 'session-created', listener: (session: SessionLike) => void): unknown;
}

/** Applies the rules to every webContents and session from now on (call before the first window). */
export function secureEveryContents(app: AppLike, options: ContentsRuleOptions): void {
  app.on('web-contents-created', (_event, contents) => secureWebContents(contents, options));
  app.on('session-created', (session) => secureSession(session, options.app));
}
