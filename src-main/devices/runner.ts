// The board-side runner (resources/runners/edgequant_runner.py): where it is on this computer,
// putting it on a board (hash-checked, so only once), and calling it with its JSON protocol.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoardTransport } from './transport';
import { DeviceError } from './errors';
import { deployFile } from './deploy';
import { shq } from './remote';

export const RUNNER_PROTOCOL = 1;
export const RUNNER_FILE = 'edgequant_runner.py';

/** Absolute path of the runner script shipped with the app. */
export function runnerScriptPath(env: NodeJS.ProcessEnv = process.env): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    env.EDGEQUANT_RESOURCES && join(env.EDGEQUANT_RESOURCES, 'runners', RUNNER_FILE),
    join(here, '..', '..', 'resources', 'runners', RUNNER_FILE), // source tree (tsx)
    join(here, '..', '..', '..', 'resources', 'runners', RUNNER_FILE), // out/main/...
    (process as { resourcesPath?: string }).resourcesPath && join((process as { resourcesPath?: string }).resourcesPath!, 'runners', RUNNER_FILE),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new DeviceError(`the board runner ${RUNNER_FILE} is missing from this installation (looked in ${candidates.join(', ')}).`);
  return found;
}

/** Uploads the runner to ~/.edgequant/runner/ unless the same version is there; returns its board path. */
export async function ensureRunner(transport: BoardTransport): Promise<string> {
  const { remotePath } = await deployFile(transport, runnerScriptPath(), { project: 'runner' });
  return remotePath;
}

/** A heartbeat line of the runner on stderr: `EQPROGRESS {"stage":"runs","done":120,"total":500}`. */
export interface RunnerProgress {
  stage: 'samples' | 'warmup' | 'runs';
  done: number;
  total: number;
}

function progressLineReader(onProgress: (p: RunnerProgress) => void): (text: string) => void {
  let pending = '';
  return (text) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('EQPROGRESS ')) continue;
      try {
        onProgress(JSON.parse(line.slice('EQPROGRESS '.length)) as RunnerProgress);
      } catch {
        // a progress line cut by the transport is only a missed update, never a failure
      }
    }
  };
}

export interface RunnerFailure {
  protocol: number;
  ok: false;
  error: string;
}

/** Runs the runner with arguments; parses its one JSON line; failures become DeviceErrors. */
export async function callRunner<T>(
  transport: BoardTransport,
  runnerPath: string,
  args: string[],
  options: { timeoutMs?: number; signal?: AbortSignal; python?: string; onProgress?: (p: RunnerProgress) => void } = {},
): Promise<T & { protocol: number; ok: true }> {
  const command = `${options.python ?? 'python3'} ${shq(runnerPath)} ${args.map(shq).join(' ')}`;
  const onStderr = options.onProgress && progressLineReader(options.onProgress);
  const result = await transport.exec(command, { timeoutMs: options.timeoutMs ?? 600_000, signal: options.signal, onStderr });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let parsed: (T & { protocol: number; ok: true }) | RunnerFailure;
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    if (result.code === 127 || /python3: (command )?not found|No such file/.test(result.stderr)) {
      throw new DeviceError(`${transport.label}: python3 is not installed on the board; the runner needs Python 3.`);
    }
    const detail = (result.stderr.trim().split('\n').at(-1) ?? '') || line.slice(0, 200);
    throw new DeviceError(`${transport.label}: the runner failed (exit ${result.code}: ${detail}).`);
  }
  if (!parsed.ok) throw new DeviceError(`${transport.label}: ${parsed.error}.`);
  if (parsed.protocol !== RUNNER_PROTOCOL) {
    throw new DeviceError(`${transport.label}: runner protocol ${parsed.protocol}, expected ${RUNNER_PROTOCOL}; update the app.`);
  }
  return parsed;
}
