// The UI's one way to reach the main-side services. In the Electron window it calls the
// preload's `window.edgequant`; in the browser host it speaks the same contract over a
// WebSocket. Both expose the same typed functions: api.<area>.<verb>(request) resolving to the
// response, or rejecting with an ApiError carrying the contract's error code.
import type {
  ApiChannel,
  ApiErrorBody,
  ApiEventName,
  ApiEvents,
  ApiFunctions,
  ApiResult,
  EdgeQuantBridge,
  Unsubscribe,
} from '../../src-main/api/contract';
import { apiProtocols, takeHostToken } from './host-token';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ApiErrorBody['code'];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.code = body.code;
  }
}

export type Api = ApiFunctions<'plain'> & {
  /** Subscribes to a contract event; returns the unsubscribe function. */
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe;
  /** Which host serves this UI. */
  readonly transport: 'electron' | 'websocket';
};

type Call = (channel: ApiChannel, payload: unknown) => Promise<ApiResult<unknown>>;
type Listen = (event: ApiEventName, listener: (payload: unknown) => void) => Unsubscribe;

declare global {
  interface Window {
    edgequant?: EdgeQuantBridge;
  }
}

/** Builds api.area.verb(...) from one call function, so both transports share the same shape. */
function buildApi(call: Call, listen: Listen, transport: Api['transport']): Api {
  const areas = new Map<string, object>();
  const areaProxy = (area: string): object =>
    new Proxy(
      {},
      {
        get: (_target, verb) => {
          if (typeof verb !== 'string') return undefined;
          return async (request: unknown = {}) => {
            const result = await call(`${area}.${verb}` as ApiChannel, request);
            if (!result.ok) throw new ApiError(result.error);
            return result.value;
          };
        },
      },
    );
  const base = { on: listen as Api['on'], transport };
  return new Proxy(base, {
    get: (target, key) => {
      if (key in target) return target[key as keyof typeof target];
      if (typeof key !== 'string') return undefined;
      let area = areas.get(key);
      if (!area) areas.set(key, (area = areaProxy(key)));
      return area;
    },
  }) as Api;
}

function electronApi(bridge: EdgeQuantBridge): Api {
  const call: Call = (channel, payload) => {
    const [area, verb] = channel.split('.') as [string, string];
    const fn = (bridge as unknown as Record<string, Record<string, (p: unknown) => Promise<ApiResult<unknown>>>>)[area]?.[verb];
    if (!fn) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `No such API function: ${channel}.` } });
    return fn(payload);
  };
  return buildApi(call, (event, listener) => bridge.on(event, listener as never), 'electron');
}

type ServerMessage =
  | { type: 'response'; id: number; result: ApiResult<unknown> }
  | { type: 'event'; event: ApiEventName; payload: unknown };

/** Where a browser-host socket connects and the sub-protocols it offers (the token, see host-token.ts). */
export interface SocketEndpoint {
  url: string;
  protocols: string[];
}

/** The page's own host: ws://<host>/api with this tab's token. */
function pageEndpoint(): SocketEndpoint {
  return { url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`, protocols: apiProtocols(takeHostToken()) };
}

/** The browser host's bridge: one socket, opened on first use, requests matched to replies by
 *  id. The endpoint and the WebSocket class are parameters so Node tests can use the `ws` package. */
export function websocketApi(endpoint: () => SocketEndpoint = pageEndpoint, Socket?: typeof WebSocket): Api {
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: Promise<WebSocket> | null = null;

  const failAll = (message: string) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'FAILED', message } });
    pending.clear();
  };
  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const { url, protocols } = endpoint();
      const ws = new (Socket ?? globalThis.WebSocket)(url, protocols);
      ws.addEventListener('open', () => resolve(ws));
      const hint = protocols.length < 2 ? 'this page has no access token: open the URL that `npm start` printed' : 'is `npm start` still running?';
      ws.addEventListener('error', () => reject(new ApiError({ code: 'FAILED', message: `Cannot reach the EdgeQuant host; ${hint}` })));
      ws.addEventListener('close', () => {
        socket = null;
        failAll('The connection to the EdgeQuant host closed; restart `npm start` and reload.');
      });
      ws.addEventListener('message', (message) => {
        const data = JSON.parse(String(message.data)) as ServerMessage;
        if (data.type === 'response') {
          pending.get(data.id)?.(data.result);
          pending.delete(data.id);
        } else {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
        }
      });
    });

  const call: Call = async (channel, payload) => {
    socket ??= connect();
    let ws: WebSocket;
    try {
      ws = await socket;
    } catch (error) {
      socket = null;
      throw error;
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws.send(JSON.stringify({ type: 'request', id, channel, payload }));
    });
  };
  const listen: Listen = (event, listener) => {
    socket ??= connect();
    socket.catch(() => undefined); // surfaced by the next call
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };
  return buildApi(call, listen, 'websocket');
}

export const api: Api =
  typeof window !== 'undefined' && window.edgequant ? electronApi(window.edgequant) : websocketApi();

/**
 * Where a dropped File is on disk: Electron's preload answers (webUtils.getPathForFile); the
 * browser host cannot know, so undefined there (the page then asks for the path). The bridge
 * is a parameter so tests can pass the preload's.
 */
export function droppedFilePath(
  file: File,
  bridge: Pick<EdgeQuantBridge, 'pathForFile'> | undefined = typeof window !== 'undefined' ? window.edgequant : undefined,
): string | undefined {
  return bridge?.pathForFile(file) || undefined;
}
