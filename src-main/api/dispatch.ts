// The one entry every host (Electron IPC, WebSocket bridge) calls: checks the channel,
// validates the payload, runs the handler and wraps the outcome in the contract's envelope.
import { errorCode, oneLine } from '../errors';
import { API_CHANNELS, type ApiChannel, type ApiResult } from './contract';
import type { Handlers } from './handlers';
import { requestSchemas } from './schemas';
import type { PathScope } from './path-scope';

export type Dispatch = (channel: string, payload: unknown) => Promise<ApiResult<unknown>>;

export function isApiChannel(channel: unknown): channel is ApiChannel {
  return typeof channel === 'string' && (API_CHANNELS as readonly string[]).includes(channel);
}

/** `scope`: what paths requests may touch (path-scope.ts); none means any (the Electron window). */
export function createDispatch(handlers: Handlers, onInternalError: (error: unknown) => void = () => undefined, scope?: PathScope): Dispatch {
  return async (channel, payload) => {
    if (!isApiChannel(channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown API channel '${String(channel)}'.` } };
    }
    const parsed = requestSchemas[channel].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return { ok: false, error: { code: 'BAD_REQUEST', message: `${channel}: ${where}${issue?.message ?? 'invalid request'}.` } };
    }
    try {
      const denied = scope?.check(channel, parsed.data);
      if (denied) return { ok: false, error: { code: 'FORBIDDEN', message: denied } };
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'INTERNAL') onInternalError(error);
      return { ok: false, error: { code, message: oneLine(error) } };
    }
  };
}
