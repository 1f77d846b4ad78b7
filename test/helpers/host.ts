// Starts the built browser host (out/main/host.js) as a child process, the way `npm start`
// does, and waits for its one line. Returns its URL, token and a kill function.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureBuilt, repoRoot } from './build';

export interface HostProcess {
  url: string;
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** Lines the host wrote to stderr (should stay empty). */
  stderr: string[];
  kill(): Promise<void>;
}

export const HOST_LINE = /^EdgeQuant Studio: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/;

/** Waits for the first stdout line of a child; rejects on exit or timeout. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no line within ${timeoutMs} ms (stdout so far: ${JSON.stringify(buffer)})`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code} before printing a line`));
    });
  });
}

export async function startHostProcess(args: string[] = [], env: Record<string, string> = {}): Promise<HostProcess> {
  await ensureBuilt();
  return follow(
    spawn(process.execPath, [join(repoRoot, 'out', 'main', 'host.js'), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EDGEQUANT_HOME: join(repoRoot, 'test-output', 'edgequant-home'), ...testScopeEnv(), ...env },
    }),
  );
}

/** The paths a test host may touch: this repository, the shared fixtures, tmp (projects); test-output for outputs. */
export function testScopeEnv(): NodeJS.ProcessEnv {
  const roots = [repoRoot, join(repoRoot, '..', 'shared'), tmpdir()].filter((p) => existsSync(p)).map((p) => realpathSync(p));
  return { EDGEQUANT_ROOTS: roots.join(delimiter), EDGEQUANT_OUTPUT_ROOTS: join(repoRoot, 'test-output') };
}

/** The host from source (src-main/host/main.ts through tsx; no build needed), serving `renderer`. */
export function startSourceHost(renderer: string, env: NodeJS.ProcessEnv = {}): Promise<HostProcess> {
  const main = join(repoRoot, 'src-main', 'host', 'main.ts');
  return follow(
    spawn(process.execPath, ['--import', 'tsx', main, '--renderer', renderer], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
}

async function follow(child: ChildProcess): Promise<HostProcess> {
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const line = await firstLine(child, 15_000);
  const match = HOST_LINE.exec(line);
  if (!match) {
    child.kill();
    throw new Error(`unexpected host line: ${line}`);
  }
  return {
    url: match[1]!,
    origin: `http://127.0.0.1:${match[2]}`,
    port: Number(match[2]),
    token: match[3]!,
    child,
    stderr,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The timer keeps this test process alive until the host is gone; SIGKILL if it lingers.
        const force = setTimeout(() => child.kill('SIGKILL'), 8_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
