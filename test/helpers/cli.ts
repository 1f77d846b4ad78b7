// The `edgequant` CLI run inside the test process (runCli with its output captured): the exit
// code and what a command prints, without the start-up of a child process. Tests that need the
// real binary (signals, a separate process) spawn bin/edgequant.js instead.
import { runCli } from '../../src-main/cli/main';

export interface CliResult {
  code: number;
  out: string;
  err: string;
  /** Wall time of the command. */
  ms: number;
}

export interface CliOptions {
  /** Working directory the command resolves relative paths against (default: this process's). */
  cwd?: string;
  /** The environment the command sees (default: none, so the machine's settings do not leak in). */
  env?: NodeJS.ProcessEnv;
}

export async function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const started = performance.now();
  const code = await runCli(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: options.cwd ?? process.cwd(), env: options.env ?? {} });
  return { code, out: out.join(''), err: err.join(''), ms: performance.now() - started };
}
