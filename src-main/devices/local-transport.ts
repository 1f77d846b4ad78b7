// "This computer" as a board: the same runner and deploy steps, through child_process. Its
// board home is $EDGEQUANT_HOME/local-board so a local bench never writes into the user's ~.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { BoardTransport, ExecOptions, ExecResult, TransferProgress } from './transport';
import { DeviceError } from './errors';
import { CancelledError } from '../errors';

export class LocalTransport implements BoardTransport {
  readonly label = 'this computer';
  constructor(
    /** Directory used as $HOME for commands, and for home-relative paths. */
    readonly home: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    mkdirSync(home, { recursive: true });
  }

  private resolve(path: string): string {
    const p = path.replace(/^~\//, '');
    return isAbsolute(p) ? p : join(this.home, p);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { env: { ...this.env, HOME: this.home }, stdio: 'pipe' });
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let failure: Error | undefined;
      const timer = options.timeoutMs
        ? setTimeout(() => {
            failure = new DeviceError(`${this.label}: command did not finish within ${Math.round(options.timeoutMs! / 1000)} s.`);
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
      const onAbort = () => {
        failure = new CancelledError();
        child.kill('SIGKILL');
      };
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('close', () => options.signal?.removeEventListener('abort', onAbort));
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => {
        errs.push(d);
        options.onStderr?.(d.toString('utf8'));
      });
      child.on('error', (e) => reject(new DeviceError(`${this.label}: cannot start /bin/sh (${e.message}).`)));
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        if (failure) return reject(failure);
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code: code ?? -1 });
      });
      child.stdin.on('error', () => undefined); // the command may exit without reading stdin
      child.stdin.end(options.stdin ?? '');
    });
  }

  async upload(localPath: string, remotePath: string, onProgress?: (p: TransferProgress) => void, signal?: AbortSignal): Promise<void> {
    const target = this.resolve(remotePath);
    mkdirSync(dirname(target), { recursive: true });
    const total = statSync(localPath).size;
    let done = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        done += chunk.length;
        onProgress?.({ bytesDone: done, bytesTotal: total });
        cb(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(localPath), counter, createWriteStream(target), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new DeviceError(`${this.label}: copy to ${target} failed (${(error as Error).message}).`);
    }
  }

  async download(remotePath: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(readFileSync(this.resolve(remotePath)));
    } catch (error) {
      throw new DeviceError(`${this.label}: cannot read ${remotePath} (${(error as NodeJS.ErrnoException).code}).`);
    }
  }

  async close(): Promise<void> {}
}
