// A shell session on a serial console: one command at a time, each framed by markers that
// carry its exit code, its output checksummed. Timeouts interrupt the command (Ctrl-C) and
// resynchronise, so one stuck command does not leave the session unusable.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { SerialDeviceError } from './errors';
import { findLine, heredocLines, parseChunkReply, parseFrame, restoreScript, syncReply, type Frame } from './framing';
import { cksumTag } from './cksum';
import { reachShell, type LoginOptions } from './login';
import type { PortLink } from './port-link';

export interface RawResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface RunOptions {
  timeoutMs?: number;
  stdin?: Uint8Array;
  signal?: AbortSignal;
}

/** Commands longer than this, or multi-line, travel as a script file (tty lines max 4095). */
const INLINE_LIMIT = 1500;
const MAX_REEMITS = 3;
/** Seconds of silence after which a command's output frame is asked for again, and how often. */
const REASK_AFTER_MS = 20_000;
const MAX_FRAME_REASKS = 2;

/** Internal: one silent slice of awaitFrame ended (never escapes this module). */
class FrameSliceTimeout extends Error {}

export class ConsoleSession {
  private counter = 0;
  private readonly nonce = randomBytes(3).toString('hex');
  /** Stem of this session's board-side temp files ($__eqt.o, .e, .c, .i, .s in /tmp or $HOME). */
  readonly tempPrefix: string;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;

  private constructor(
    readonly link: PortLink,
    readonly baudRate: number,
    /** What the session does, one line each (a console view in the app, --verbose). */
    readonly log: (line: string) => void,
  ) {
    this.tempPrefix = `.edgequant-${this.nonce}`;
  }

  static async start(link: PortLink, options: Omit<LoginOptions, 'tempPrefix'>): Promise<ConsoleSession> {
    const session = new ConsoleSession(link, options.baudRate, options.onLog ?? (() => {}));
    await reachShell(link, { ...options, tempPrefix: session.tempPrefix });
    return session;
  }

  /** Bytes per second the line can carry at this baud (10 bits per byte with 8N1). */
  get lineBytesPerSecond(): number {
    return this.baudRate / 10;
  }

  nextId(): string {
    this.counter += 1;
    return `${this.nonce}${this.counter}`;
  }

  /** Runs `work` after every earlier call finished: the console carries one dialogue at a time. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.broken) throw this.broken;
      if (this.link.lost) throw this.link.lostError();
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs a shell command in a subshell; stdout and stderr come back separately. */
  run(command: string, options: RunOptions = {}): Promise<RawResult> {
    return this.exclusive(() => this.runNow(command, options));
  }

  async runNow(command: string, options: RunOptions = {}): Promise<RawResult> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    let input = '</dev/null';
    if (options.stdin !== undefined) {
      await this.putFileNow(options.stdin, `"$__eqt.i"`, options.signal);
      input = '<"$__eqt.i"';
    }
    let body = `( ${command}\n)`;
    if (command.length > INLINE_LIMIT || /[\n\r]/.test(command) || /[^\x20-\x7e\t]/.test(command)) {
      await this.putFileNow(Buffer.from(command + '\n', 'utf8'), `"$__eqt.s"`, options.signal);
      body = '( . "$__eqt.s" )';
    }
    const id = this.nextId();
    this.log(`$ ${clip(command)}`);
    // The exit code also goes to a file, so the frame can be asked for again if it is lost.
    await this.link.write(`${body} ${input} >"$__eqt.o" 2>"$__eqt.e"; echo $? >"$__eqt.x"; __eq_emit ${id} "$(cat "$__eqt.x")"\n`);
    for (let emission = 0; ; emission++) {
      const frame = await this.awaitFrame(id, timeoutMs, command, options.signal);
      this.link.consume(frame.consumed);
      if (frame.intact) return { code: frame.code, stdout: frame.stdout, stderr: frame.stderr };
      if (emission >= MAX_REEMITS) {
        throw new SerialDeviceError(`The output of '${clip(command)}' arrived damaged ${MAX_REEMITS + 1} times on ${this.link.label}: the line is too noisy; lower the baud rate.`);
      }
      // Output files are still on the board: ask for them again.
      this.log(`output of command ${id} arrived damaged; asking again`);
      await this.link.write(`__eq_emit ${id} ${frame.code}\n`);
    }
  }

  /**
   * Waits for command `id`'s frame. A console message that cuts one of the frame's marker
   * lines would hide the whole frame until the timeout, so after a silent slice the frame is
   * asked for again (a few times at most); a re-ask queued behind a still-running command
   * just runs after it. The last wait interrupts the board as awaitReply does.
   */
  private async awaitFrame(id: string, timeoutMs: number, command: string, signal?: AbortSignal): Promise<Frame> {
    const match = (text: string) => parseFrame(text, id);
    let waited = 0;
    for (let reask = 0; ; reask++) {
      const remaining = timeoutMs - waited;
      if (reask >= MAX_FRAME_REASKS || remaining <= REASK_AFTER_MS) return this.awaitReply(match, remaining, command, signal);
      const frame = await this.link.waitFor(match, REASK_AFTER_MS, () => new FrameSliceTimeout(), signal).catch((error: unknown) => {
        if (error instanceof FrameSliceTimeout) return undefined;
        throw error;
      });
      if (frame) return frame;
      waited += REASK_AFTER_MS;
      this.log(`no complete output frame for command ${id} after ${waited / 1000} s; asking for it again`);
      await this.link.write(`__eq_emit ${id} "$(cat "$__eqt.x" 2>/dev/null || echo 255)"\n`);
    }
  }

  /**
   * Writes bytes to a board file through a checksummed here-document: the board decodes,
   * checks the cksum and appends to `target` only when it matches. Returns false on mismatch.
   * `gzip`: send the chunk deflated when that is smaller (the board has gzip).
   */
  async sendChunkNow(data: Uint8Array, target: string, timeoutMs: number, signal?: AbortSignal, gzip = false): Promise<boolean> {
    const id = this.nextId();
    const tag = cksumTag(data);
    const packed = gzip ? gzipSync(data, { level: 6 }) : undefined;
    const useGzip = packed !== undefined && packed.length < data.length * 0.95;
    await this.link.write(heredocLines(useGzip ? packed : data, '"$__eqt.c"', useGzip) + `__eq_put ${id} ${tag} ${target}\n`);
    const reply = await this.awaitReply((text) => parseChunkReply(text, id), timeoutMs, 'a file chunk', signal);
    this.link.consume(reply.consumed);
    // Compared here too: the board said ok only if its own checksum equals ours.
    return reply.ok && reply.tag === tag;
  }

  /** Replaces a small board file with `data`, retrying damaged chunks. */
  async putFileNow(data: Uint8Array, target: string, signal?: AbortSignal): Promise<void> {
    const chunk = 16 * 1024;
    const id = this.nextId();
    await this.link.write(`: >${target}; echo __EQ_${id}_T\n`);
    const end = await this.awaitReply((text) => findLine(text, `__EQ_${id}_T`), 10_000, 'truncate', signal);
    this.link.consume(end);
    const timeoutMs = 10_000 + (4 * chunk * 1000) / this.lineBytesPerSecond;
    for (let offset = 0; offset < data.length; offset += chunk) {
      const part = data.subarray(offset, offset + chunk);
      let sent = false;
      for (let attempt = 0; attempt < 4 && !sent; attempt++) sent = await this.sendChunkNow(part, target, timeoutMs, signal);
      if (!sent) throw new SerialDeviceError(`A chunk kept arriving damaged on ${this.link.label}: the line is too noisy; lower the baud rate.`);
    }
  }

  /**
   * Waits for a reply; on timeout or cancel interrupts the board (Ctrl-C) and resynchronises
   * so the next command starts clean.
   */
  async awaitReply<T>(match: (text: string) => T | undefined, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
    try {
      return await this.link.waitFor(match, timeoutMs, () => new SerialDeviceError(
        `'${clip(what)}' did not finish within ${Math.round(timeoutMs / 1000)} s on ${this.link.label}; it was interrupted.`,
      ), signal);
    } catch (error) {
      if (!this.link.lost) await this.interrupt();
      // A pty or adapter does not always report a hang-up to a waiting reader; the interrupt's
      // write does. Then the lost link is the cause to name, not the timeout.
      if (this.link.lost) throw this.link.lostError();
      throw error;
    }
  }

  /** Ctrl-C, end any open here-document, then wait for an exact sync line. */
  private async interrupt(): Promise<void> {
    const token = `__EQ_SYNC_${randomBytes(4).toString('hex')}`;
    try {
      await this.link.write('\x03');
      await this.link.pause(200);
      await this.link.write(`\n__EQ_EOF\n\x15echo "${token}_$((40+2))"\n`);
      const end = await this.link.waitFor((text) => findLine(text, syncReply(token)), 10_000, () => new Error('no sync'));
      this.link.consume(end);
    } catch {
      this.broken = new SerialDeviceError(`The shell on ${this.link.label} stopped answering after an interrupted command: reconnect (power-cycle the board if it persists).`);
    }
  }

  /** Removes this session's temp files and gives the console back to humans; the port stays open. */
  async release(): Promise<void> {
    if (this.link.lost || this.broken) return;
    await this.exclusive(async () => {
      const id = this.nextId();
      await this.link.write(`${restoreScript()}; echo __EQ_${id}_Q\n`);
      // Best effort: a board that does not answer within 3 s is left as it is.
      await this.link.waitFor((text) => findLine(text, `__EQ_${id}_Q`), 3000, () => new Error('no reply')).catch(() => undefined);
    }).catch(() => undefined);
  }
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? line.slice(0, 57) + '...' : line;
}
