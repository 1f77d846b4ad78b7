// One bounded TCP connect: does anything accept connections on host:port right now?
import { connect } from 'node:net';

export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    // Refused, unreachable or unresolvable: the candidate is listed as not answering.
    socket.once('error', () => done(false));
  });
}
