// A real OpenSSH server for tests: /usr/sbin/sshd -D on 127.0.0.1 at a free port, with its own
// generated host key, an authorized test key, a private $HOME for the session and
// LD_LIBRARY_PATH pointing at a TFLite C library. Processes are tracked by id and killed on stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

export const SSHD_PATH = '/usr/sbin/sshd';

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshdMissingReason(): string | undefined {
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} absent (apt-get install openssh-server)`;
  if (spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error) return 'ssh-keygen absent (apt-get install openssh-client)';
  return undefined;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function generateKey(path: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519', passphrase = ''): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'edgequant-test', '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/** OpenSSH's own fingerprint of a public key file, e.g. "SHA256:abc...". */
export function fingerprintOf(pubPath: string): string {
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen -l failed: ${r.stderr}`);
  return r.stdout.split(/\s+/)[1]!;
}

/** Pids of all descendants of `pid` (children first found, recursively), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

export interface SshdOptions {
  /** Directory put on the session's LD_LIBRARY_PATH (the board's TFLite C library). */
  libraryDir?: string;
  /** Reuse this host key file instead of generating one. */
  hostKeyPath?: string;
  port?: number;
  /** false: no SFTP subsystem, like many Dropbear/BusyBox boards. */
  sftp?: boolean;
  /**
   * A fresh board: password login allowed with this password, and the user's ~/.ssh (in the
   * board home) honoured. sshd checks passwords against /etc/shadow, so it runs in a private
   * mount namespace where copies of /etc/passwd and /etc/shadow give this user the password and
   * the board home; the machine's own files are untouched. Needs root (see passwordSshdMissingReason).
   */
  password?: string;
}

/** Why a password-login sshd cannot run here, or undefined when it can. */
export function passwordSshdMissingReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'password login needs sshd to read a shadow file: run as root (a private mount namespace holds a test copy)';
  if (spawnSync('unshare', ['-m', 'true'], { stdio: 'ignore' }).status !== 0) return 'unshare -m is not permitted in this container';
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) return 'openssl absent (to hash the test password)';
  return undefined;
}

/** exitCode stays null for a process ended by a signal, so check both. */
function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export class TestSshd {
  private child: ChildProcess | undefined;
  readonly user = userInfo().username;
  readonly host = '127.0.0.1';
  /** The session's $HOME: everything the device layer writes on the "board" lands here. */
  readonly home: string;
  readonly clientKey: string;
  hostKeyPath: string;
  port = 0;
  private stderr = '';

  private constructor(readonly dir: string, private readonly options: SshdOptions) {
    this.home = join(dir, 'board-home');
    mkdirSync(this.home);
    this.clientKey = join(dir, 'client_ed25519');
    generateKey(this.clientKey);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`));
    this.hostKeyPath = options.hostKeyPath ?? this.newHostKey();
  }

  static async start(options: SshdOptions = {}): Promise<TestSshd> {
    const sshd = new TestSshd(mkdtempSync(join(tmpdir(), 'edgequant-sshd-')), options);
    sshd.port = options.port ?? (await freePort());
    await sshd.launch();
    return sshd;
  }

  /** Lets another client key log in (appended to authorized_keys; read by sshd per login). */
  authorize(publicKeyPath: string): void {
    appendFileSync(join(this.dir, 'authorized_keys'), readFileSync(publicKeyPath));
  }

  /** Makes a fresh host key (the "reinstalled board"); takes effect on the next restart. */
  newHostKey(): string {
    const path = join(this.dir, `host_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`);
    generateKey(path);
    this.hostKeyPath = path;
    return path;
  }

  get hostFingerprint(): string {
    return fingerprintOf(`${this.hostKeyPath}.pub`);
  }

  private writeConfig(): string {
    const env = [`HOME=${this.home}`, ...(this.options.libraryDir ? [`LD_LIBRARY_PATH=${this.options.libraryDir}`] : [])];
    const config = [
      `Port ${this.port}`,
      `ListenAddress 127.0.0.1`,
      `HostKey ${this.hostKeyPath}`,
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}${this.options.password !== undefined ? ' %h/.ssh/authorized_keys' : ''}`,
      `PermitRootLogin ${this.options.password !== undefined ? 'yes' : 'prohibit-password'}`,
      `PubkeyAuthentication yes`,
      `PasswordAuthentication ${this.options.password !== undefined ? 'yes' : 'no'}`,
      `KbdInteractiveAuthentication no`,
      `UsePAM no`,
      `StrictModes no`,
      `SetEnv ${env.join(' ')}`,
      ...(this.options.sftp === false ? [] : [`Subsystem sftp internal-sftp`]),
      `LogLevel ERROR`,
    ].join('\n');
    const path = join(this.dir, 'sshd_config');
    writeFileSync(path, config + '\n');
    return path;
  }

  /** Copies of /etc/passwd and /etc/shadow where this user has `password` and the board home. */
  private accountFiles(password: string): [string, string] {
    const hash = spawnSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' }).stdout.trim();
    if (!hash.startsWith('$6$')) throw new Error('openssl passwd -6 gave no hash');
    const rewrite = (file: string, edit: (fields: string[]) => void) =>
      readFileSync(file, 'utf8').split('\n').map((line) => {
        const fields = line.split(':');
        if (fields[0] !== this.user) return line;
        edit(fields);
        return fields.join(':');
      }).join('\n');
    const passwd = join(this.dir, 'passwd');
    const shadow = join(this.dir, 'shadow');
    writeFileSync(passwd, rewrite('/etc/passwd', (f) => { f[5] = this.home; }));
    writeFileSync(shadow, rewrite('/etc/shadow', (f) => { f[1] = hash; }), { mode: 0o600 });
    return [passwd, shadow];
  }

  private async launch(): Promise<void> {
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
    const config = this.writeConfig();
    this.stderr = '';
    const child = this.options.password === undefined
      ? spawn(SSHD_PATH, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && exec "$3" -D -e -f "$4"', 'sh', ...this.accountFiles(this.options.password), SSHD_PATH, config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child = child;
    // A test run that ends without dispose() (crash, failed before hook) still takes its sshd along.
    const onExit = () => this.kill();
    process.once('exit', onExit);
    child.once('exit', () => process.removeListener('exit', onExit));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (hasExited(child)) throw new Error(`sshd exited (${child.exitCode}): ${this.stderr.trim()}`);
      if (await this.answers()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`sshd did not answer on port ${this.port}: ${this.stderr.trim()}`);
  }

  /** True when something on the port sends an SSH banner. */
  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }

  /** Pid of the listening sshd, while it runs. */
  get pid(): number | undefined {
    return this.child && !hasExited(this.child) ? this.child.pid : undefined;
  }

  /** Kills the listener and every session it forked (SIGKILL): the board "drops off". */
  kill(): void {
    const child = this.child;
    if (!child?.pid || hasExited(child)) return;
    const pids = [child.pid, ...descendants(child.pid)];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = hasExited(child) ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
    this.kill();
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface SshdBoard {
  /** Why sshd cannot run here (use as the tests' skip), or undefined. */
  readonly missing: string | undefined;
  /** The running server; set in before(). */
  sshd: TestSshd;
  /** A private folder of the file: the app state is `work/state`, HOME is `work/home`. */
  work: string;
}

/**
 * One board for the tests of a file: an sshd started in before() and removed in after(), with
 * EDGEQUANT_HOME and HOME of this process pointed into a private folder, since the device layer
 * reads them (so no ~/.ssh, known hosts or device list of the machine leaks into the test).
 */
export function sshdBoardForFile(prefix: string, options: SshdOptions = {}): SshdBoard {
  const board = { missing: sshdMissingReason() } as SshdBoard;
  before(async () => {
    if (board.missing) return;
    board.work = mkdtempSync(join(tmpdir(), prefix));
    board.sshd = await TestSshd.start(options);
    process.env.EDGEQUANT_HOME = join(board.work, 'state');
    process.env.HOME = join(board.work, 'home');
  });
  after(async () => {
    if (board.missing) return;
    await board.sshd?.dispose();
    if (board.work) rmSync(board.work, { recursive: true, force: true });
  });
  return board;
}

/** A TCP port on loopback that accepts connections and never answers: a black-holed board. */
export async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
