// The browser host: the built renderer over HTTP on 127.0.0.1 and the API contract over one
// WebSocket per page (/api). Same dispatch and events as the Electron IPC bridge. No request,
// header or message a client sends can throw here: each gets a 4xx, an error reply or a close
// of its own socket (socket-messages.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiServices } from '../app/services';
import { oneLine } from '../errors';
import { API_PROTOCOL, checkApiAccess, checkSite, newToken, requestPath } from './access';
import { readClientMessage } from './socket-messages';
import { readStatic } from './static-files';

export interface HostOptions {
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  services: ApiServices;
  port?: number;
  token?: string;
  /** A fault of the host itself (not of a client's request); the host goes on. */
  onInternalError?: (error: unknown) => void;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; worker-src 'self' blob:; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Larger messages close their socket with 1009 (the client's fault, not the host's). */
export const MAX_MESSAGE_BYTES = 1 << 20;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' };

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${STATUS_TEXT[status] ?? 'Error'}: ${reason}\n`);
}

function refuseUpgrade(socket: Socket, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${reason}\n`);
}

export async function startHost({ rendererDir, services, port = 0, token = newToken(), onInternalError = () => undefined }: HostOptions): Promise<RunningHost> {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Answer with the plain protocol name; the token one is never echoed.
    handleProtocols: (offered) => (offered.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });
  let boundPort = port;

  // The app's files are not secret (the same bundle ships in the repository): Host and Origin
  // checks only. The API socket below needs the token.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const site = checkSite(req.headers, boundPort);
    if (!site.ok) return refuse(res, site.status, site.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, `Method ${String(req.method).slice(0, 20)} is not served.`);
    const path = requestPath(req.url);
    if (path === null) return refuse(res, 400, 'The request target is not a URL path.');
    readStatic(rendererDir, path).then(
      (file) => {
        if (!file) return refuse(res, 404, 'No such file in the app.');
        res.writeHead(200, {
          'content-type': file.type,
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : file.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Cannot read the app files: ${oneLine(error)}\n`);
      },
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // A client that resets mid-handshake must not raise an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const access = checkApiAccess({ headers: req.headers, port: boundPort, token });
    if (!access.ok) return refuseUpgrade(socket, access.status, access.reason);
    const path = requestPath(req.url);
    if (path !== '/api') return refuseUpgrade(socket, path === null ? 400 : 404, 'The API is at /api.');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function send(ws: WebSocket, message: unknown): void {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      onInternalError(error);
      return;
    }
    ws.send(text);
  }

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const unsubscribe = services.events.subscribe((event, payload) => send(ws, { type: 'event', event, payload }));
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
    // Oversized messages (1009) and invalid UTF-8 (1007): ws reports them here and closes this
    // socket with that code; the client hears why, the host goes on.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      const message = readClientMessage(data, isBinary);
      if (message.kind === 'close') return ws.close(message.code, message.reason);
      if (message.kind === 'reject') {
        return send(ws, { type: 'response', id: message.id, result: { ok: false, error: { code: 'BAD_REQUEST', message: message.message } } });
      }
      const { id } = message;
      services.dispatch(message.channel, message.payload).then(
        (result) => send(ws, { type: 'response', id, result }),
        (error: unknown) => {
          onInternalError(error);
          send(ws, { type: 'response', id, result: { ok: false, error: { code: 'INTERNAL', message: oneLine(error) } } });
        },
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${boundPort}/?token=${token}`,
    port: boundPort,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Browsers keep idle keep-alive connections open; close() would wait for them forever.
      server.closeAllConnections();
      await closed;
    },
  };
}
