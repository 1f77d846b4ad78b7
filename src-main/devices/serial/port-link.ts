// The raw byte link: opens the port (8N1, optional RTS/CTS), collects what the board sends
// and lets callers wait for a pattern with a deadline. Knows nothing of shells.
import { SerialPort } from 'serialport';
import { CancelledError } from '../../errors';
import { SerialDeviceError } from './errors';

export interface PortLinkOptions {
  path: string;
  baudRate: number;
  rtscts?: boolean;
  /** Limit for opening the device node. */
  openTimeoutMs?: number;
}

/** Returns a value once the received text satisfies it; undefined means "keep waiting". */
export type Matcher<T> = (received: string) => T | undefined;

/** How long close() waits for the OS to release the port. */
const CLOSE_LIMIT_MS = 3000;

/**
 * `work`'s outcome, or, if it has not settled after `ms`, what `late` returns or throws. A `work`
 * that settles later is ignored: its failure was either reported already or is moot.
 */
async function within<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

interface Waiter {
  check: () => boolean;
  fail: (error: Error) => void;
}

export class PortLink {
  /** Everything received since the last consume(), as latin1 text (one char per byte). */
  received = '';
  /** Bytes received over the link's life (for wrong-baud diagnosis). */
  totalBytes = 0;
  /** Bytes sent over the link's life (transfer overhead is measured with it). */
  bytesWritten = 0;
  private readonly waiters = new Set<Waiter>();
  private lostReason: string | undefined;
  private closing = false;

  private constructor(
    private readonly port: SerialPort,
    readonly label: string,
    private readonly baudRate: number,
  ) {
    port.on('data', (chunk: Buffer) => {
      this.totalBytes += chunk.length;
      this.received += chunk.toString('latin1');
      for (const w of [...this.waiters]) w.check();
    });
    port.on('error', (error: Error) => this.lose(error.message));
    port.on('close', () => this.lose('the port closed'));
  }

  static async open(options: PortLinkOptions): Promise<PortLink> {
    const label = `serial ${options.path}`;
    const port = new SerialPort({
      path: options.path,
      baudRate: options.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      rtscts: options.rtscts ?? false,
      autoOpen: false,
    });
    const timeoutMs = options.openTimeoutMs ?? 5000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new SerialDeviceError(`Opening ${options.path} took longer than ${timeoutMs / 1000} s; unplug and replug the adapter.`));
      }, timeoutMs);
      port.open((error) => {
        clearTimeout(timer);
        if (error) reject(new SerialDeviceError(openErrorText(options.path, error.message)));
        else resolve();
      });
    });
    return new PortLink(port, label, options.baudRate);
  }

  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  private lose(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = this.closing ? 'the port was closed' : reason;
    const error = this.lostError();
    for (const w of [...this.waiters]) w.fail(error);
  }

  lostError(): SerialDeviceError {
    return new SerialDeviceError(
      `The serial link ${this.label.replace(/^serial /, '')} was lost (${this.lostReason ?? 'unknown'}): check the cable and that the board is powered, then retry.`,
    );
  }

  /** Drops the first `count` received characters (default: all). */
  consume(count = this.received.length): void {
    this.received = this.received.slice(count);
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.lostReason !== undefined) throw this.lostError();
    this.bytesWritten += data.length;
    // A board that stops taking bytes (flow control held, a hung console) must not hang the
    // caller: allow 4× the line time plus 20 s, then treat the link as lost. (10 s was too short
    // for a busy host: a pty test board under CI load once took no bytes for 16 s, then recovered.)
    const limitMs = 20_000 + (4 * data.length * 10 * 1000) / Math.max(this.baudRate, 300);
    const sent = (async () => {
      await new Promise<void>((resolve, reject) => {
        this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) => {
          if (error) {
            this.lose(error.message);
            reject(this.lostError());
          } else resolve();
        });
      });
      // Resolve only when the OS took the bytes, so progress means bytes sent, not queued.
      await new Promise<void>((resolve) => this.port.drain(() => resolve()));
    })();
    await within(sent, limitMs, () => {
      this.lose(`the board took no data for ${Math.round(limitMs / 1000)} s`);
      throw this.lostError();
    });
    if (this.lostReason !== undefined) throw this.lostError();
  }

  /**
   * Waits until `match` returns a value. Fails with a SerialDeviceError built by `onTimeout`
   * after `timeoutMs`, with CancelledError on abort, and at once if the link is lost.
   */
  waitFor<T>(match: Matcher<T>, timeoutMs: number, onTimeout: () => Error, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lostReason !== undefined) return reject(this.lostError());
      if (signal?.aborted) return reject(new CancelledError());
      let timer: NodeJS.Timeout | undefined = undefined;
      const finish = () => {
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        check: () => {
          const value = match(this.received);
          if (value === undefined) return false;
          finish();
          resolve(value);
          return true;
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = () => waiter.fail(new CancelledError());
      if (waiter.check()) return;
      this.waiters.add(waiter);
      timer = setTimeout(() => waiter.fail(onTimeout()), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves after `ms` or when the link is lost; never throws. */
  pause(ms: number): Promise<void> {
    return this.waitFor(() => undefined, ms, () => new Error('pause')).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Releases the port; safe to call twice and after the link was lost. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.port.isOpen) return;
    // Bounded: a close stuck behind a write the board never takes must not hang the app.
    await within(new Promise<void>((resolve) => this.port.close(() => resolve())), CLOSE_LIMIT_MS, () => undefined);
  }
}

function openErrorText(path: string, cause: string): string {
  if (/ENOENT|no such file/i.test(cause)) return `Serial port ${path} does not exist: plug the board in and check the path (ls /dev/ttyUSB* /dev/ttyACM*).`;
  if (/EACCES|permission/i.test(cause)) return `No permission to open ${path}: add your user to the 'dialout' group (then log in again).`;
  if (/lock|EBUSY|temporarily unavailable/i.test(cause)) return `Serial port ${path} is in use by another program (close screen/minicom/picocom and retry).`;
  return `Cannot open serial port ${path}: ${cause.replace(/\s+/g, ' ')}.`;
}
