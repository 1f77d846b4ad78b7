// The browser host's credential in the page. `npm start` prints /?token=…; the page reads it
// once, keeps it in sessionStorage (per origin, and the origin includes the port, so no other
// local server can read it, unlike a cookie of 127.0.0.1) and removes it from the address bar
// (history, bookmarks, screenshots). It is presented only as a WebSocket sub-protocol of the
// page's own /api socket (src-main/host/access.ts).
import type { ApiProtocol, TokenProtocolPrefix } from '../../src-main/host/access';

export const API_PROTOCOL: ApiProtocol = 'edgequant';
export const TOKEN_PROTOCOL_PREFIX: TokenProtocolPrefix = 'edgequant.token.';
const STORAGE_KEY = 'edgequant.token';

export interface PageLocation {
  href: string;
}

/** Moves `?token=` from the URL to sessionStorage; returns the token this tab holds, or null. */
export function takeHostToken(
  location: PageLocation = window.location,
  history: Pick<History, 'replaceState' | 'state'> = window.history,
  storage: Pick<Storage, 'getItem' | 'setItem'> = window.sessionStorage,
): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return storage.getItem(STORAGE_KEY);
}

/** The sub-protocols that open the API socket: the plain name, and the token when there is one. */
export function apiProtocols(token: string | null): string[] {
  return token ? [API_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token] : [API_PROTOCOL];
}
