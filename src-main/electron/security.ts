// Pure security rules of the desktop window, kept free of the electron runtime so that unit
// tests run without the Electron binary. contents-rules.ts and main.ts apply them.
import { APP_ORIGIN } from './app-protocol';

/**
 * The Content-Security-Policy of the packaged window, sent with every app:// response. No
 * WebSocket source (the window talks to main over IPC; only the browser host needs ws://) and no
 * 'unsafe-inline' styles: the UI has no style attributes or `style:` directives (a test guards
 * this), and chart.js sizes its canvas through the CSSOM, which CSP does not govern.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-src 'none'; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** `electron-vite dev` only: Vite injects <style> tags for hot reload and talks to its server over ws. */
export function devContentSecurityPolicy(devServer: string): string {
  const { host } = new URL(devServer);
  return CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self' ws://${host}`,
  );
}

/** Where the app's own pages come from: app://edgequant/index.html, or the dev server's origin. */
export interface AppLocation {
  /** app://edgequant/index.html in a build; http://localhost:5173/ under `electron-vite dev`. */
  url: string;
}

/** Dev servers the window may load: electron-vite's on this computer, nothing else. */
function isLocalDevServer(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'http:' && (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]');
  } catch {
    return false;
  }
}

/**
 * The page the window loads. ELECTRON_RENDERER_URL (set by `electron-vite dev`) is honoured only
 * in a development build that is not packaged, and only for a local http server: a packaged app
 * started with that variable still loads its own files.
 */
export function appLocation({ devBuild, packaged, rendererUrl }: { devBuild: boolean; packaged: boolean; rendererUrl: string | undefined }): AppLocation {
  if (devBuild && !packaged && rendererUrl !== undefined && isLocalDevServer(rendererUrl)) return { url: rendererUrl };
  return { url: `${APP_ORIGIN}/index.html` };
}

export interface SenderFrame {
  url: string;
  /** True when the frame is the window's top frame (not an iframe). */
  isMainFrame: boolean;
}

/** Same scheme and host (and port): app:// has an opaque origin in WHATWG URL terms, so compare parts. */
function sameOrigin(url: string, app: AppLocation): boolean {
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(app.url);
  } catch {
    return false;
  }
  return target.protocol === base.protocol && target.host === base.host && target.host !== '';
}

/** IPC is answered only for the app's own top frame: never an iframe, never a foreign page. */
export function isTrustedSender(frame: SenderFrame | null | undefined, app: AppLocation): boolean {
  return !!frame && frame.isMainFrame && sameOrigin(frame.url, app);
}

/** In-window navigation (and redirects, and frame navigation) stays within the app. */
export function isAllowedNavigation(url: string, app: AppLocation): boolean {
  return sameOrigin(url, app);
}

/** Links the user clicks that should open in the system browser instead of a new window. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The one permission the window may use: writing text to the clipboard (the "copy command"
 * button), from the app's own page. Camera, microphone, notifications, geolocation, HID, serial
 * (the app opens serial ports from main, never from the page), USB, Bluetooth: all denied.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, app: AppLocation): boolean {
  return permission === 'clipboard-sanitized-write' && requestingUrl !== undefined && sameOrigin(requestingUrl, app);
}
