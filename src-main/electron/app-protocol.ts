// The app:// scheme the packaged window loads instead of file://: a standard, secure origin of
// its own (file:// pages share one origin with every file on disk), serving only the files of
// out/renderer. No electron import: main.ts registers it, tests call serveAppRequest directly.
import { CONTENT_TYPES } from '../host/static-files';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'edgequant';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Passed to protocol.registerSchemesAsPrivileged before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  stream: false,
} as const;


export type AppPath = { ok: true; relative: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/** The file a request URL names inside the renderer folder, or why it may not be served. */
export function appRequestPath(requestUrl: string): AppPath {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 403, reason: `only ${APP_ORIGIN}/ is served` };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  const parts = path.split('/').filter((part) => part !== '');
  // Encoded separators and dot segments survive URL parsing as %2F / %2E%2E: refuse them here.
  if (parts.some((part) => part === '..' || part === '.' || part.includes('\\') || part.includes('\0'))) {
    return { ok: false, status: 403, reason: 'path leaves the app folder' };
  }
  return { ok: true, relative: parts.length === 0 ? 'index.html' : parts.join('/') };
}

function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Answers one app:// request from rendererDir with the window's CSP. Symlinks that lead out of
 * the folder are refused too (checked on the real path).
 */
export async function serveAppRequest(rendererDir: string, requestUrl: string, csp: string): Promise<Response> {
  const target = appRequestPath(requestUrl);
  if (!target.ok) return plain(target.status, `Refused: ${target.reason}.`);
  const root = await realpath(rendererDir);
  let file: string;
  try {
    file = await realpath(join(root, target.relative));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return plain(404, 'Not found.');
    throw error;
  }
  if (!file.startsWith(root + sep)) return plain(403, 'Refused: path leaves the app folder.');
  if (!(await stat(file)).isFile()) return plain(404, 'Not found.');
  return new Response(await readFile(file), {
    status: 200,
    headers: {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  });
}
