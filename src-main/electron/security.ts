// Pure security rules of the desktop window, kept free of the electron runtime so that unit
// tests run without the Electron binary. main.ts applies them.

/** The Content-Security-Policy sent with every response the window loads. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

/** Where the app's own pages come from: the built file:// index or the dev server's origin. */
export interface AppLocation {
  /** file:///…/out/renderer/index.html in a build; http://localhost:5173/ under `electron-vite dev`. */
  url: string;
}

export interface SenderFrame {
  url: string;
  /** True when the frame is the window's top frame (not an iframe). */
  isMainFrame: boolean;
}

function sameDocument(url: string, app: AppLocation): boolean {
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(app.url);
  } catch {
    return false;
  }
  if (base.protocol === 'file:') return target.protocol === 'file:' && target.pathname === base.pathname;
  return target.origin === base.origin;
}

/** IPC is answered only for the app's own top frame: never an iframe, never a foreign page. */
export function isTrustedSender(frame: SenderFrame | null | undefined, app: AppLocation): boolean {
  return !!frame && frame.isMainFrame && sameDocument(frame.url, app);
}

/** In-window navigation is allowed only within the app's document (hash routes). */
export function isAllowedNavigation(url: string, app: AppLocation): boolean {
  return sameDocument(url, app);
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
