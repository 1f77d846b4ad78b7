// BoardTransport over a serial console: what deploy, probe and bench use for kind 'serial'.
import type { BoardTransport, ExecOptions, ExecResult } from '../transport';
import type { SerialDeviceConfig } from '../types';
import { CancelledError } from '../../errors';
import { ConsoleSession } from './console';
import { SerialDeviceError } from './errors';
import { PortLink } from './port-link';
import { downloadFile, uploadFile, type SerialTransferProgress } from './transfer';

export interface SerialOpenOptions {
  /** Asked only when the board shows a password prompt; the answer is never stored. */
  password?: () => Promise<string>;
  /** Limit to open the port and reach a shell (default 15 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  /** The device layer's generic secret prompt; used for the password when `password` is absent. */
  prompt?: (question: string) => Promise<string | undefined>;
  /** The device layer's name for `timeoutMs`. */
  connectTimeoutMs?: number;
}

function passwordAsker(config: SerialDeviceConfig, options: SerialOpenOptions): (() => Promise<string>) | undefined {
  if (options.password) return options.password;
  const prompt = options.prompt;
  if (!prompt) return undefined;
  return async () => {
    const answer = await prompt(`Password for ${config.user ?? 'the board'} on ${config.path}: `);
    if (answer === undefined) throw new SerialDeviceError(`The board on ${config.path} asks for a password; run from a terminal to type it.`);
    return answer;
  };
}

export const DEFAULT_BAUD_RATE = 115200;

export async function openSerialTransport(config: SerialDeviceConfig, options: SerialOpenOptions = {}): Promise<SerialBoardTransport> {
  const baudRate = config.baudRate || DEFAULT_BAUD_RATE;
  const timeoutMs = options.timeoutMs ?? options.connectTimeoutMs ?? 15_000;
  const password = passwordAsker(config, options);
  if (options.signal?.aborted) throw new CancelledError();
  const link = await PortLink.open({ path: config.path, baudRate, rtscts: config.rtscts ?? false, openTimeoutMs: Math.min(timeoutMs, 5000) });
  try {
    const session = await ConsoleSession.start(link, {
      baudRate,
      timeoutMs,
      ...(config.user !== undefined ? { user: config.user } : {}),
      ...(password ? { password } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLog ? { onLog: options.onLog } : {}),
    });
    return new SerialTransport(session, link);
  } catch (error) {
    await link.close();
    throw error;
  }
}

/** A BoardTransport whose upload progress also tells the measured rate and the time left. */
export interface SerialBoardTransport extends BoardTransport {
  readonly baudRate: number;
  /** Bytes sent and received on the line so far (transfer overhead, diagnostics). */
  lineBytes(): { sent: number; received: number };
  upload(localPath: string, remotePath: string, onProgress?: (p: SerialTransferProgress) => void, signal?: AbortSignal): Promise<void>;
}

class SerialTransport implements SerialBoardTransport {
  readonly label: string;
  private closed = false;

  constructor(
    private readonly session: ConsoleSession,
    private readonly link: PortLink,
  ) {
    this.label = link.label;
  }

  get baudRate(): number {
    return this.session.baudRate;
  }

  lineBytes(): { sent: number; received: number } {
    return { sent: this.link.bytesWritten, received: this.link.totalBytes };
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const stdin = typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'utf8') : options.stdin;
    const result = await this.session.run(command, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(stdin !== undefined ? { stdin } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  }

  upload(localPath: string, remotePath: string, onProgress?: (p: SerialTransferProgress) => void, signal?: AbortSignal): Promise<void> {
    return uploadFile(this.session, localPath, remotePath, onProgress, signal);
  }

  download(remotePath: string, signal?: AbortSignal): Promise<Uint8Array> {
    return downloadFile(this.session, remotePath, signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.session.release();
    } finally {
      await this.link.close();
    }
  }
}
