// Who may talk to the browser host. Every request: the Host header must be this app's address
// (DNS rebinding) and an Origin, when sent, this app's page (other sites). The API socket also
// needs the token, presented in the Sec-WebSocket-Protocol header (never in a cookie: cookies
// of 127.0.0.1 reach every local port). The page gets the token once from `?token=` and keeps it
// in sessionStorage, which is per origin including the port (src-renderer/lib/host-token.ts).
// Nothing here throws on any header or URL a client sends.
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AccessDecision = { ok: true } | { ok: false; status: 400 | 401 | 403; reason: string };

/** The sub-protocol the host answers with; the token travels as a second one, TOKEN_PROTOCOL_PREFIX + token. */
export const API_PROTOCOL = 'edgequant';
export const TOKEN_PROTOCOL_PREFIX = 'edgequant.token.';
/** For the renderer, which may only import types from here: its copies must match these. */
export type ApiProtocol = typeof API_PROTOCOL;
export type TokenProtocolPrefix = typeof TOKEN_PROTOCOL_PREFIX;

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The path of a request target, or null when it is not a URL this host can parse. */
export function requestPath(url: string | undefined): string | null {
  if (url === undefined) return null;
  try {
    return new URL(url, 'http://127.0.0.1').pathname;
  } catch {
    return null;
  }
}

/** Host and Origin checks for every request (static files and the API socket). */
export function checkSite(headers: IncomingHttpHeaders, port: number): AccessDecision {
  const hosts = allowedHosts(port);
  const host = headers.host;
  if (typeof host !== 'string' || !hosts.includes(host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host '${typeof host === 'string' ? host.slice(0, 100) : ''}' is not this app's address.` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, reason: `Origin '${origin.slice(0, 100)}' may not use this app.` };
  }
  return { ok: true };
}

/** The token a client offered as a WebSocket sub-protocol, if any. */
export function offeredToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  for (const protocol of header.split(',')) {
    const value = protocol.trim();
    if (value.startsWith(TOKEN_PROTOCOL_PREFIX)) return value.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** The API socket: this site, and the token as a sub-protocol. */
export function checkApiAccess(input: { headers: IncomingHttpHeaders; port: number; token: string }): AccessDecision {
  const site = checkSite(input.headers, input.port);
  if (!site.ok) return site;
  const presented = offeredToken(input.headers);
  if (presented === undefined || presented === '') {
    return { ok: false, status: 401, reason: 'Missing token: open the URL that `npm start` printed.' };
  }
  if (!sameSecret(presented, input.token)) return { ok: false, status: 403, reason: 'Wrong token: open the URL that `npm start` printed.' };
  return { ok: true };
}
