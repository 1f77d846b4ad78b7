// Who may talk to the browser host: only pages served by this host on 127.0.0.1 with the token.
// Host is checked against DNS rebinding, Origin against other sites' pages, and the token
// (query ?token= once, then an HttpOnly SameSite cookie) against other local users and apps.
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AccessDecision = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function cookieName(port: number): string {
  return `edgequant_token_${port}`;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkAccess(input: { url: string; headers: IncomingHttpHeaders; port: number; token: string }): AccessDecision {
  const { headers, port, token } = input;
  const hosts = allowedHosts(port);
  if (!headers.host || !hosts.includes(headers.host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host '${headers.host ?? ''}' is not this app's address.` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, reason: `Origin '${origin}' may not use this app.` };
  }
  const queryToken = new URL(input.url, 'http://127.0.0.1').searchParams.get('token') || null;
  const presented = queryToken ?? cookieValue(headers.cookie, cookieName(port));
  if (presented === undefined || presented === '') {
    return { ok: false, status: 401, reason: 'Missing token: open the URL that `npm start` printed.' };
  }
  if (!sameSecret(presented, token)) return { ok: false, status: 403, reason: 'Wrong token: open the URL that `npm start` printed.' };
  return { ok: true, viaQuery: queryToken !== null };
}
