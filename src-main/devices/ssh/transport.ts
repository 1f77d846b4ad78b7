// BoardTransport over SSH (ssh2): host key check before anything is sent, key/agent/password
// login, keep-alives, exec with timeouts, SFTP upload with progress. A dropped connection
// rejects every pending operation with a DeviceError naming the board.
import ssh2, { type Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import type { SshDeviceConfig } from '../types';
import type { BoardTransport, ExecOptions, ExecResult, TransferProgress } from '../transport';
import { DeviceError } from '../errors';
import type { DeviceStore } from '../store';
import { hostIdOf, keyTypeOf, sha256Fingerprint, verifyHostKey, type ConfirmHostKey } from './host-keys';
import { defaultKeyFiles, planAuth, type SecretPrompt, type SecretStore } from './auth';
import { readSshConfig, sshConfigPath } from './config-file';
import { CancelledError } from '../../errors';
import { downloadThroughShell, uploadThroughShell } from './shell-transfer';

export interface SshConnectOptions {
  store: DeviceStore;
  /** Asked about an unknown host key; true stores it. Absent → unknown keys are refused. */
  confirmHostKey?: ConfirmHostKey;
  prompt?: SecretPrompt;
  secretStore?: SecretStore;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Host, port, user and key files after ~/.ssh/config aliases are applied. */
export function resolveSshTarget(device: SshDeviceConfig, env: NodeJS.ProcessEnv = process.env) {
  const fromConfig = readSshConfig(device.host, sshConfigPath(env), env.HOME);
  const host = fromConfig.hostName ?? device.host;
  // User and port were settled (from the alias if not typed) when the device was added.
  const { port, user } = device;
  const keyFiles = device.keyFile ? [device.keyFile] : fromConfig.identityFiles.length ? fromConfig.identityFiles : defaultKeyFiles(env.HOME);
  return { host, port, user, keyFiles, keyFileExplicit: device.keyFile !== undefined };
}

function describeConnectError(error: NodeJS.ErrnoException & { level?: string }, where: string, timeoutMs: number): string {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return `connection refused by ${where} (is sshd running there, and is the port right?)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host name of ${where} not found (check the address or ~/.ssh/config)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${where} is unreachable (check the network)`;
  if (code === 'ETIMEDOUT' || /timed out/i.test(error.message)) {
    return `no SSH answer from ${where} within ${Math.round(timeoutMs / 1000)} s (board off, wrong address or firewalled?)`;
  }
  if (error.level === 'client-authentication') return `authentication to ${where} failed`;
  return `cannot connect to ${where}: ${error.message}`;
}

/** A one-shot deadline that can be paused (while a human answers) and resumed. */
class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private onExpire: (() => void) | undefined;
  constructor(private remaining: number) {}
  start(onExpire: () => void): void {
    this.onExpire = onExpire;
    this.resume();
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.startedAt;
  }
  resume(): void {
    if (this.timer || !this.onExpire) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(this.onExpire, Math.max(this.remaining, 0));
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onExpire = undefined;
  }
}

export class SshTransport implements BoardTransport {
  readonly label: string;
  private sftpSession: Promise<SFTPWrapper | undefined> | undefined;
  private closedError: DeviceError | undefined;
  private readonly closeListeners = new Set<(e: DeviceError) => void>();

  private constructor(
    private readonly client: Client,
    label: string,
    /** Fingerprint of the host key this session verified. */
    readonly hostKeyFingerprint: string,
  ) {
    this.label = label;
    const onGone = (reason: string) => {
      if (this.closedError) return;
      this.closedError = new DeviceError(`connection to ${label} lost (${reason}); nothing after this point was completed.`);
      for (const l of this.closeListeners) l(this.closedError);
    };
    client.on('error', (e: Error) => onGone(e.message));
    client.on('close', () => onGone('closed by the board or the network'));
  }

  static async connect(device: SshDeviceConfig, options: SshConnectOptions): Promise<SshTransport> {
    const env = options.env ?? process.env;
    const target = resolveSshTarget(device, env);
    const where = `${target.user}@${target.host}:${target.port}`;
    const label = `ssh ${where}`;
    const timeoutMs = options.connectTimeoutMs ?? device.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const hostId = hostIdOf(target.host, target.port);
    // Our own connect deadline (ssh2's readyTimeout is off): it stands still while the user
    // answers a host-key question or types a passphrase, so prompts are not cut short.
    const deadline = new PausableTimer(timeoutMs);
    const whileAsking = <A extends unknown[], R>(fn: ((...args: A) => Promise<R>) | undefined) =>
      fn && (async (...args: A): Promise<R> => {
        deadline.pause();
        try {
          return await fn(...args);
        } finally {
          deadline.resume();
        }
      });
    const auth = planAuth({
      user: target.user,
      target: where,
      keyFiles: target.keyFiles,
      keyFileExplicit: target.keyFileExplicit,
      agentSocket: env.SSH_AUTH_SOCK,
      prompt: whileAsking(options.prompt),
      secretStore: options.secretStore,
    });
    const confirmHostKey = whileAsking(options.confirmHostKey);
    let hostKeyError: unknown;
    let fingerprint = '';
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        deadline.stop();
        client.removeAllListeners('ready');
        client.destroy();
        reject(error);
      };
      deadline.start(() =>
        fail(new DeviceError(describeConnectError(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), where, timeoutMs) + '.')),
      );
      client.once('ready', () => {
        deadline.stop();
        client.removeAllListeners('error');
        resolve();
      });
      client.on('error', (error: NodeJS.ErrnoException & { level?: string }) => {
        if (hostKeyError) return fail(hostKeyError);
        if (auth.failure) return fail(auth.failure);
        if (error.level === 'client-authentication') {
          const tried = auth.tried.length ? auth.tried.join(', ') : 'no key, agent or password available';
          return fail(new DeviceError(`authentication to ${where} failed (tried: ${tried}); check the user and key, or run in a terminal to type a password.`));
        }
        fail(new DeviceError(describeConnectError(error, where, timeoutMs) + '.'));
      });
      client.connect({
        host: target.host,
        port: target.port,
        username: target.user,
        readyTimeout: 0,
        keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: 3,
        authHandler: auth.handler,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          fingerprint = sha256Fingerprint(key);
          verifyHostKey(options.store, { hostId, keyType: keyTypeOf(key), fingerprint, key }, confirmHostKey).then(
            () => verify(true),
            (error: unknown) => {
              hostKeyError = error;
              verify(false);
            },
          );
        },
      });
    });
    const transport = new SshTransport(client, label, fingerprint);
    await auth.onSuccess();
    return transport;
  }

  /** Rejects with the connection-lost error if the link drops before `work` settles. */
  private guard<T>(work: (onClose: (fn: () => void) => void) => Promise<T>): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<T>((resolve, reject) => {
      let cleanup: (() => void) | undefined;
      const listener = (e: DeviceError) => {
        cleanup?.();
        reject(e);
      };
      this.closeListeners.add(listener);
      work((fn) => (cleanup = fn)).then(resolve, reject).finally(() => this.closeListeners.delete(listener));
    });
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.guard(
      (onClose) =>
        new Promise<ExecResult>((resolve, reject) => {
          this.client.exec(command, (err, stream: ClientChannel) => {
            if (err) return reject(new DeviceError(`${this.label}: cannot start a command (${err.message}).`));
            const out: Buffer[] = [];
            const errs: Buffer[] = [];
            let timer: NodeJS.Timeout | undefined;
            const stop = (error: Error) => {
              if (timer) clearTimeout(timer);
              stream.close();
              reject(error);
            };
            onClose(() => timer && clearTimeout(timer));
            if (options.timeoutMs) {
              timer = setTimeout(() => stop(new DeviceError(`${this.label}: command did not finish within ${Math.round(options.timeoutMs! / 1000)} s.`)), options.timeoutMs);
            }
            // Closing the channel makes the board's runner fail its next heartbeat write and exit.
            const onAbort = () => stop(new CancelledError());
            if (options.signal?.aborted) return onAbort();
            options.signal?.addEventListener('abort', onAbort, { once: true });
            stream.on('data', (d: Buffer) => out.push(d));
            stream.stderr.on('data', (d: Buffer) => {
              errs.push(d);
              options.onStderr?.(d.toString('utf8'));
            });
            stream.on('close', (code: number | null) => {
              if (timer) clearTimeout(timer);
              options.signal?.removeEventListener('abort', onAbort);
              resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code: code ?? -1 });
            });
            if (options.stdin !== undefined) stream.end(options.stdin);
            else stream.end();
          });
        }),
    );
  }

  /** The SFTP session, or undefined when the server has no SFTP subsystem (then `cat` is used). */
  private sftp(): Promise<SFTPWrapper | undefined> {
    this.sftpSession ??= new Promise<SFTPWrapper | undefined>((resolve) => {
      this.client.sftp((err, sftp) => resolve(err ? undefined : sftp));
    });
    return this.sftpSession;
  }

  upload(localPath: string, remotePath: string, onProgress?: (p: TransferProgress) => void, signal?: AbortSignal): Promise<void> {
    const path = remotePath.replace(/^~\//, '');
    return this.guard(async () => {
      const sftp = await this.sftp();
      if (!sftp) return uploadThroughShell(this.client, this.label, localPath, path, onProgress, signal);
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(new CancelledError());
        // fastPut cannot be stopped alone: a cancelled upload ends the connection.
        const onAbort = () => {
          this.client.end();
          reject(new CancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sftp.fastPut(
          localPath,
          path,
          { step: (done, _chunk, total) => onProgress?.({ bytesDone: done, bytesTotal: total }) },
          (err) => {
            signal?.removeEventListener('abort', onAbort);
            if (err) reject(new DeviceError(`${this.label}: upload to ${remotePath} failed (${err.message}).`));
            else resolve();
          },
        );
      });
    });
  }

  download(remotePath: string): Promise<Uint8Array> {
    const path = remotePath.replace(/^~\//, '');
    return this.guard(async () => {
      const sftp = await this.sftp();
      if (!sftp) return downloadThroughShell(this.client, this.label, path);
      return new Promise<Uint8Array>((resolve, reject) =>
        sftp.readFile(path, (err, data) => (err ? reject(new DeviceError(`${this.label}: cannot read ${remotePath} (${err.message}).`)) : resolve(new Uint8Array(data)))),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closedError) return;
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
      setTimeout(resolve, 1000).unref();
    });
  }
}
