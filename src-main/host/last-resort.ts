// The host's last line: an error no handler caught (a bug, never a client's input, which the
// server answers itself) is logged as one typed line and the host goes on serving.
import { errorCode, oneLine } from '../errors';

export function describeFault(kind: 'uncaught exception' | 'unhandled rejection', error: unknown): string {
  const name = error instanceof Error ? error.name : typeof error;
  const where = error instanceof Error ? (error.stack?.split('\n')[1]?.trim() ?? '') : '';
  return `edgequant host: internal error (${kind}, ${errorCode(error)} ${name}): ${oneLine(error).slice(0, 500)}${where ? ` ${where}` : ''}; the host keeps running.`;
}

export function keepHostAlive(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  process.on('uncaughtException', (error) => write(describeFault('uncaught exception', error)));
  process.on('unhandledRejection', (reason) => write(describeFault('unhandled rejection', reason)));
}
