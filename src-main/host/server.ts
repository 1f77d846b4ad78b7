// The browser host: the built renderer over HTTP on 127.0.0.1 and the API contract over one
// WebSocket per page (/api). Same dispatch and events as the Electron IPC bridge.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiServices } from '../app/services';
import { checkAccess, cookieName, newToken } from './access';
import { readStatic } from './static-files';

export interface HostOptions {
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  services: ApiServices;
  port?: number;
  token?: string;
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

const MAX_MESSAGE_BYTES = 1 << 20;

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${status === 401 ? 'Unauthorized' : 'Forbidden'}: ${reason}\n`);
}

export async function startHost({ rendererDir, services, port = 0, token = newToken() }: HostOptions): Promise<RunningHost> {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let boundPort = port;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const access = checkAccess({ url: req.url ?? '/', headers: req.headers, port: boundPort, token });
    if (!access.ok) return refuse(res, access.status, access.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 403, `Method ${req.method} is not served.`);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    readStatic(rendererDir, path).then(
      (file) => {
        if (!file) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Not found\n');
          return;
        }
        const headers: Record<string, string> = {
          'content-type': file.type,
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
        };
        if (access.viaQuery) headers['set-cookie'] = `${cookieName(boundPort)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : file.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`Cannot read the app files: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });

  server.on('upgrade', (req, socket, head) => {
    const access = checkAccess({ url: req.url ?? '/', headers: req.headers, port: boundPort, token });
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (!access.ok || path !== '/api') {
      const status = access.ok ? 404 : access.status;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const unsubscribe = services.events.subscribe((event, payload) => {
      ws.send(JSON.stringify({ type: 'event', event, payload }));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
    ws.on('message', (data) => {
      let message: { type?: unknown; id?: unknown; channel?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        ws.close(1003, 'Messages must be JSON.');
        return;
      }
      if (message.type !== 'request' || typeof message.id !== 'number') {
        ws.close(1003, 'Expected {type: "request", id, channel, payload}.');
        return;
      }
      const id = message.id;
      void services.dispatch(String(message.channel), message.payload).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'response', id, result }));
      });
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
