// A Linux board's serial console on this machine: socat links a pty to a real login shell
// (what a board's getty + shell is), or to a far end that misbehaves the way real ones do.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type BoardKind =
  /** `bash -li`: a shell prompt straight away. */
  | 'shell'
  /** `dash -i`: a minimal POSIX shell (as on small boards), no bash features. */
  | 'dash'
  /** `bash -li` behind a relay that carries 11,520 bytes/s each way: a real 115200-baud line. */
  | 'line115200'
  /** A login prompt and a password prompt (checked), then `bash -li`. */
  | 'login'
  /** Random non-text bytes and never a prompt: what a wrong baud rate looks like. */
  | 'garbage'
  /** Prints log lines forever and reads nothing: a busy board. */
  | 'busy'
  /** Never prints anything. */
  | 'silent';

export interface SerialBoard {
  /** The device path to give the app (a symlink to the pty). */
  path: string;
  /** The board's home directory. */
  home: string;
  /** Kills the far end at once (cable pulled). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '..', '..');
export const TFLITE_C_DIR = join(repoRoot, 'node_modules', 'tfjs-tflite-node', 'cc_deps', 'linux_amd64');

export function socatAvailable(): boolean {
  return ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].some((p) => existsSync(p));
}

/** socat's EXEC splits on blanks without shell quoting, so each far end is a script file. */
function script(dir: string, name: string, lines: string[]): string {
  const path = join(dir, `${name}.sh`);
  writeFileSync(path, ['#!/bin/bash', ...lines, ''].join('\n'), { mode: 0o755 });
  return path;
}

/**
 * A relay between socat and the shell's pty that passes BYTES_PER_SECOND each way and pushes
 * back when 4 KiB are queued, as a UART's transmit buffer does (the sender's drain waits).
 */
function lineRelay(dir: string): string {
  const path = join(dir, 'line-relay.mjs');
  writeFileSync(
    path,
    [
      "import { spawn } from 'node:child_process';",
      'const rate = Number(process.argv[2]);',
      "const shell = spawn('socat', ['-', 'EXEC:bash -li,pty,stderr,setsid,sigint,sane'], { stdio: ['pipe', 'pipe', 'inherit'] });",
      'function line(src, dst) {',
      '  const queue = []; let queued = 0; let next = Date.now(); let busy = false;',
      '  const step = () => {',
      '    if (queue.length === 0) { busy = false; return; }',
      '    const head = queue[0]; const n = Math.min(head.length, Math.max(1, Math.floor(rate / 200)));',
      '    dst.write(head.subarray(0, n)); queued -= n;',
      '    if (n === head.length) queue.shift(); else queue[0] = head.subarray(n);',
      '    if (queued < 1024) src.resume();',
      '    next = Math.max(next, Date.now() - 20) + (n * 1000) / rate;',
      '    setTimeout(step, Math.max(0, next - Date.now()));',
      '  };',
      "  src.on('data', (b) => { queue.push(b); queued += b.length; if (queued > 4096) src.pause(); if (!busy) { busy = true; step(); } });",
      '}',
      'line(process.stdin, shell.stdin);',
      'line(shell.stdout, process.stdout);',
      "const end = () => { shell.kill('SIGTERM'); process.exit(0); };",
      "process.stdin.on('end', end); process.on('SIGTERM', end); shell.on('exit', () => process.exit(0));",
      '',
    ].join('\n'),
  );
  return path;
}

function farEnd(kind: BoardKind, dir: string): string {
  switch (kind) {
    case 'shell':
      return 'bash -li';
    case 'dash':
      return 'dash -i';
    case 'line115200':
      return `${process.execPath} ${lineRelay(dir)} 11520`;
    case 'login':
      // A getty-like front: user name (empty lines ignored as agetty does), password without
      // echo, "Login incorrect" after a pause on mismatch.
      return script(dir, 'login', [
        'while true; do',
        '  printf "\\nedgeboard login: "; read -r user; [ -z "$user" ] && continue',
        '  printf "Password: "; stty -echo; read -r pass; stty echo; printf "\\n"',
        '  if [ "$user" = "$BOARD_USER" ] && [ "$pass" = "$BOARD_PASSWORD" ]; then exec bash -li; fi',
        '  sleep 1; printf "\\nLogin incorrect\\n"',
        'done',
      ]);
    case 'garbage':
      return script(dir, 'garbage', ['while :; do head -c 48 /dev/urandom; sleep 0.05; done']);
    case 'busy':
      return script(dir, 'busy', ['stty -icanon -echo', 'i=0', 'while :; do i=$((i+1)); echo "[worker] step $i running"; sleep 0.1; done']);
    case 'silent':
      return script(dir, 'silent', ['stty -echo', 'exec sleep 3600']);
  }
}

/** `linkPath` fixes the device path (to bring a board back at the same path after a kill). */
export async function startSerialBoard(dir: string, kind: BoardKind = 'shell', env: NodeJS.ProcessEnv = {}, linkPath?: string): Promise<SerialBoard> {
  const home = join(dir, 'board-home');
  mkdirSync(home, { recursive: true });
  const command = farEnd(kind, dir);
  const boardTmp = join(dir, 'board-tmp');
  mkdirSync(boardTmp, { recursive: true });
  const path = linkPath ?? join(dir, `tty-${kind}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`);
  const child: ChildProcess = spawn(
    'socat',
    [`PTY,link=${path},raw,echo=0`, `EXEC:${command},pty,stderr,setsid,sigint,sane${kind === 'silent' ? ',echo=0' : ''}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        LANG: 'C.UTF-8',
        LD_LIBRARY_PATH: TFLITE_C_DIR,
        // The board's temp files stay in the test folder (killed boards cannot clean up).
        TMPDIR: boardTmp,
        ...env,
      },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  for (let i = 0; i < 100 && !existsSync(path); i++) await sleep(20);
  if (!existsSync(path)) {
    child.kill('SIGKILL');
    throw new Error(`socat did not create ${path}: ${stderr.trim()}`);
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    // socat that does not leave on SIGTERM within 3 s is killed: a test never waits forever.
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  };
  return { path, home, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
