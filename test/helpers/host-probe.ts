// Talks to a running browser host the way a hostile local process would: raw bytes over TCP,
// WebSockets with any frames, and one health check (the page and an API call both answer).
import { connect as tcpConnect } from 'node:net';
import WebSocket from 'ws';

export interface RawReply {
  /** What the host wrote before closing (or before the timeout). */
  text: string;
  /** The first status code in the reply, or null when none came. */
  status: number | null;
  /** False when the host neither answered nor closed within the timeout. */
  settled: boolean;
}

/**
 * Sends bytes and collects the host's reply until it closes, falls quiet for 150 ms after
 * answering, or timeoutMs passes. `hangUp` ends the connection after sending (the host then
 * drops a request still in flight, as HTTP/1.1 servers do).
 */
export function rawExchange(port: number, bytes: Buffer | string, timeoutMs = 5_000, hangUp = false): Promise<RawReply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = tcpConnect(port, '127.0.0.1');
    const finish = (settled: boolean) => {
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : null, settled });
    };
    const timer = setTimeout(() => finish(chunks.length > 0), timeoutMs);
    let quiet: NodeJS.Timeout | undefined;
    socket.on('connect', () => (hangUp ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(true), 150);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

export interface SocketOptions {
  token?: string | null;
  origin?: string;
}

/** An open /api socket presenting the token as a sub-protocol (or none). */
export function openApiSocket(port: number, { token = null, origin }: SocketOptions = {}, timeoutMs = 5_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const protocols = token === null ? ['edgequant'] : ['edgequant', `edgequant.token.${token}`];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, { headers: origin ? { origin } : {}, maxPayload: 64 << 20 });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('the API socket did not open in time'));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export type SocketOutcome =
  | { kind: 'reply'; message: { type?: string; id?: unknown; result?: { ok?: boolean; error?: { code?: unknown; message?: unknown } } } }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'silent' };

/** Sends one frame and waits for the first response message or the close of the socket. */
export function sendFrame(ws: WebSocket, data: string | Buffer, binary = false, timeoutMs = 5_000): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const done = (outcome: SocketOutcome) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      ws.off('error', onError);
      resolve(outcome);
    };
    const onMessage = (raw: WebSocket.RawData) => {
      let message: unknown;
      try {
        message = JSON.parse(String(raw));
      } catch {
        message = { type: 'not-json' };
      }
      if ((message as { type?: string }).type !== 'event') done({ kind: 'reply', message: message as never });
    };
    const onClose = (code: number, reason: Buffer) => done({ kind: 'closed', code, reason: reason.toString() });
    const onError = () => undefined; // the close that follows is the outcome
    const timer = setTimeout(() => done({ kind: 'silent' }), timeoutMs);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    if (ws.readyState !== WebSocket.OPEN) return done({ kind: 'closed', code: 0, reason: 'not open' });
    ws.send(data, { binary });
  });
}

/** The host serves its page and answers jobs.list with the token, each within timeoutMs. */
export async function healthy(port: number, token: string, timeoutMs = 5_000): Promise<boolean> {
  const page = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, timeoutMs);
  if (page.status !== 200) return false;
  let ws: WebSocket | undefined;
  try {
    ws = await openApiSocket(port, { token }, timeoutMs);
    const outcome = await sendFrame(ws, JSON.stringify({ type: 'request', id: 1, channel: 'jobs.list', payload: {} }), false, timeoutMs);
    return outcome.kind === 'reply' && outcome.message.result?.ok === true;
  } catch {
    return false;
  } finally {
    ws?.terminate();
  }
}
