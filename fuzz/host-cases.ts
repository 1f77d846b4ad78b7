// Seeded malformed inputs for the browser host: raw HTTP requests (request lines, headers,
// cookies, paths, methods, bodies, WebSocket handshakes) and WebSocket messages (JSON of every
// shape, envelopes with wrong fields, real channels with wrong payloads, bad frames).
import { API_CHANNELS } from '../src-main/api/contract';

export type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number) => Math.floor(rng() * max);

const NASTY_STRINGS = ['', '%', '%%', '%E0%A4%A', '%00', '\u0000', '..', '../../etc/passwd', '/etc/passwd', 'http://[', 'http://a:b:c/',
  '\uD800', '😀', 'a'.repeat(5000), '__proto__', 'constructor', '\r\n', '\\\\?\\C:\\', 'null', '{}', '[]', '-1', '1e309'];

const TARGETS = ['/', '/index.html', '/api', '/assets/', '/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', 'http://[', 'http://a:b:c/',
  'http://127.0.0.1/', '*', '//', '/%', '/%00', '/?token=%', '/?token=' + 'x'.repeat(3000), '/a?b#c', 'http://[::1', 'https://x:-1/',
  '/\u00e9', '/' + 'a/'.repeat(2000), '/index.html%00.png', 'ftp://x', '/\\..\\..\\etc\\passwd'];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'BREW', 'get', 'G ET', '', 'GET\u0000'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTP/1.1x', '', 'http/1.1'];

function header(rng: Rng, port: number, token: string | null): string {
  const host = `127.0.0.1:${port}`;
  switch (int(rng, 14)) {
    case 0: return `Host: ${pick(rng, [host, `localhost:${port}`, 'evil.example', '', '[', `${host}, ${host}`, host.toUpperCase()])}`;
    case 1: return `Origin: ${pick(rng, [`http://${host}`, 'null', 'http://evil.example', '%', 'http://[', ''])}`;
    case 2: return `Cookie: edgequant_token_${port}=${pick(rng, ['%', '%E0%A4%A', token ?? 'x', '', '=;=;'])}`;
    case 3: return `Cookie: ${pick(rng, NASTY_STRINGS)}`;
    case 4: return `Content-Length: ${pick(rng, ['0', '5', '-1', '99999999999999999999', 'abc', '10, 20'])}`;
    case 5: return `Transfer-Encoding: ${pick(rng, ['chunked', 'gzip, chunked', 'x'])}`;
    case 6: return `Upgrade: ${pick(rng, ['websocket', 'WebSocket', 'h2c', ''])}`;
    case 7: return `Connection: ${pick(rng, ['Upgrade', 'close', 'keep-alive, Upgrade', ''])}`;
    case 8: return `Sec-WebSocket-Key: ${pick(rng, ['dGhlIHNhbXBsZSBub25jZQ==', '', 'x', '%'])}`;
    case 9: return `Sec-WebSocket-Version: ${pick(rng, ['13', '8', '', 'x'])}`;
    case 10: return `Sec-WebSocket-Protocol: ${pick(rng, ['edgequant', `edgequant, edgequant.token.${pick(rng, ['', 'x', '%', 'a'.repeat(300)])}`, ',,,', 'edgequant.token.', ' '])}`;
    case 11: return `${pick(rng, ['X-A', 'x y', '', ':', 'Host\u0000'])}: ${pick(rng, NASTY_STRINGS)}`;
    case 12: return pick(rng, ['nonsense', ' folded', '\tfolded', 'A'.repeat(20000) + ': b']);
    default: return `Accept: ${pick(rng, ['*/*', 'text/html', ''])}`;
  }
}

function mutateBytes(rng: Rng, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const edits = 1 + int(rng, 4);
  let result = out;
  for (let i = 0; i < edits; i++) {
    const at = int(rng, result.length + 1);
    const op = int(rng, 3);
    if (op === 0 && result.length > 0) result[Math.min(at, result.length - 1)] = int(rng, 256);
    else if (op === 1) result = Buffer.concat([result.subarray(0, at), Buffer.from([int(rng, 256)]), result.subarray(at)]);
    else result = Buffer.concat([result.subarray(0, at), result.subarray(at + 1 + int(rng, 8))]);
  }
  return result;
}

export interface HttpCase {
  bytes: Buffer;
  /** Close our side right after sending (a client that hangs up mid-request). */
  hangUp: boolean;
}

/** One malformed request; `token` is the real token, used in some handshakes (never the static paths' key). */
export function httpCase(rng: Rng, port: number, token: string | null): HttpCase {
  const lines: string[] = [];
  const line = `${rng() < 0.7 ? 'GET' : pick(rng, METHODS)} ${rng() < 0.5 ? pick(rng, TARGETS) : '/' + pick(rng, NASTY_STRINGS)} ${rng() < 0.8 ? 'HTTP/1.1' : pick(rng, VERSIONS)}`;
  lines.push(line);
  if (rng() < 0.8) lines.push(`Host: 127.0.0.1:${port}`);
  if (rng() < 0.3) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  if (token && rng() < 0.2) lines.push(`Sec-WebSocket-Protocol: edgequant, edgequant.token.${token}`);
  const extra = int(rng, 5);
  for (let i = 0; i < extra; i++) lines.push(header(rng, port, token));
  const body = rng() < 0.2 ? pick(rng, ['x', '0\r\n\r\n', 'zz\r\nabc\r\n', '{"a":', '\u0000'.repeat(100)]) : '';
  let bytes: Buffer = Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  if (rng() < 0.3) bytes = mutateBytes(rng, bytes);
  if (rng() < 0.05) bytes = bytes.subarray(0, int(rng, bytes.length));
  return { bytes, hangUp: rng() < 0.15 };
}

function jsonValue(rng: Rng, depth = 0): unknown {
  switch (int(rng, depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return pick(rng, [0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42]);
    case 2: return pick(rng, NASTY_STRINGS);
    case 3: return rng() < 0.5;
    case 4: return pick(rng, ['/tmp', '/etc/passwd', '/usr', '.', '', '/dev/zero', '/proc/self/mem']);
    case 5: return {};
    case 6: return Array.from({ length: int(rng, 4) }, () => jsonValue(rng, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = int(rng, 4); i > 0; i--) out[pick(rng, ['path', 'dir', 'name', 'kind', 'params', 'id', 'ssh', '__proto__', 'x', 'shape'])] = jsonValue(rng, depth + 1);
      return out;
    }
  }
}

// Channels whose well-formed requests reach the network or spawn work: only ill-formed ones here.
const NO_WELL_FORMED = new Set(['devices.scanHostKey', 'devices.addSsh', 'devices.probe', 'jobs.start']);

/** A payload for a real channel: mostly the wrong shape; sometimes well-formed with nasty paths. */
function payload(rng: Rng, channel: string, inside: string): unknown {
  if (NO_WELL_FORMED.has(channel) || rng() < 0.6) return jsonValue(rng);
  const path = rng() < 0.03 ? `${inside}/${pick(rng, ['x.h5', 'data', 'p', ''])}` : pick(rng, ['/etc/passwd', '/usr', '/', '/proc/self/mem', '/dev/zero', '../../..', '\u0000']);
  return pick(rng, [{ path, preprocess: pick(rng, ['0..1', 'x']) }, { dir: path }, { dir: path, id: 'r1' }, { dir: path, path }, { path }, { name: 'b', path }, {}]);
}

export interface WsCase {
  data: string | Buffer;
  binary: boolean;
}

export function wsCase(rng: Rng, inside: string): WsCase {
  const kind = int(rng, 100);
  if (kind < 3) return { data: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, int(rng, 256)]), binary: false }; // invalid UTF-8 text
  if (kind < 6) return { data: Buffer.from(Array.from({ length: int(rng, 64) }, () => int(rng, 256))), binary: true };
  if (kind < 7) return { data: JSON.stringify({ type: 'request', id: 1, channel: 'jobs.list', payload: { x: 'a'.repeat((1 << 20) + int(rng, 1000)) } }), binary: false };
  if (kind < 9) return { data: `{"type":"request","id":1,"channel":"models.inspect","payload":${'['.repeat(int(rng, 20000))}`, binary: false };
  if (kind < 20) return { data: JSON.stringify(jsonValue(rng)), binary: false };
  if (kind < 25) return { data: pick(rng, ['', '{', 'nul', '{"type":"request","id":1,', '\u0000']), binary: false };
  const channel = rng() < 0.85 ? pick(rng, API_CHANNELS) : pick(rng, ['', 'fs.readFile', 'app', '.', 'app.info.x', '__proto__.x', 'constructor']);
  const envelope: Record<string, unknown> = { type: rng() < 0.9 ? 'request' : jsonValue(rng), id: rng() < 0.9 ? 1 + int(rng, 1e6) : jsonValue(rng), channel, payload: payload(rng, channel, inside) };
  if (rng() < 0.05) delete envelope[pick(rng, ['type', 'id', 'channel', 'payload'])];
  return { data: JSON.stringify(envelope), binary: false };
}
