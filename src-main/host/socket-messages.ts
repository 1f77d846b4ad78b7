// What one WebSocket message from a client asks for. Any bytes a client sends map to a request,
// an error reply (when the message names its id) or a close of that one socket; never a throw.
import type { RawData } from 'ws';

export type ClientMessage =
  | { kind: 'request'; id: number; channel: string; payload: unknown }
  | { kind: 'reject'; id: number; message: string }
  | { kind: 'close'; code: number; reason: string };

const SHAPE = 'Expected {type: "request", id: <number>, channel: "<area>.<verb>", payload}.';

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

export function readClientMessage(data: RawData, isBinary: boolean): ClientMessage {
  // 1003: unsupported data (RFC 6455 §7.4.1).
  if (isBinary) return { kind: 'close', code: 1003, reason: 'Binary messages are not accepted; send JSON text.' };
  let message: unknown;
  try {
    message = JSON.parse(text(data));
  } catch {
    return { kind: 'close', code: 1003, reason: 'Messages must be JSON.' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { kind: 'close', code: 1003, reason: SHAPE };
  const { type, id, channel, payload } = message as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { kind: 'close', code: 1003, reason: SHAPE };
  if (type !== 'request') return { kind: 'reject', id, message: `Message ${id}: type must be "request". ${SHAPE}` };
  if (typeof channel !== 'string') return { kind: 'reject', id, message: `Message ${id}: channel must be a string. ${SHAPE}` };
  return { kind: 'request', id, channel, payload };
}
