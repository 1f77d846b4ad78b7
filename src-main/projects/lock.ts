// A short-lived exclusive lock for read-modify-write of shared project files (manifest, index).
// The lock is a file created with O_EXCL holding {pid, thread, host, at}. A lock whose pid is
// dead on this host, or older than STALE_MS, is stale: it is removed and the acquire retried.
// A job worker thread shares the app's pid: when one is terminated while holding a lock, the job
// manager releases that thread's locks (`releaseThreadLocks`).
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { OperationError } from '../errors';
import { isProcessAlive } from './owner';

export class ProjectLockError extends OperationError {
  override name = 'ProjectLockError';
}

/** Nobody holds this lock longer than a few file writes; older means its holder is gone. */
export const STALE_MS = 30_000;

interface LockContent {
  pid: number;
  /** worker_threads id of the holder (0: the main thread). */
  thread?: number;
  host: string;
  at: number;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isStale(path: string, now: number): boolean {
  let content: LockContent;
  try {
    content = JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false; // released meanwhile
    // Empty or half-written: its holder is between create and write, or was killed there.
    try {
      return now - statSync(path).mtimeMs > 1_000;
    } catch {
      return false;
    }
  }
  if (now - content.at > STALE_MS) return true;
  return content.host === hostname() && !isProcessAlive(content.pid);
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    try {
      const body: LockContent = { pid: process.pid, thread: threadId, host: hostname(), at: Date.now() };
      writeSync(fd, JSON.stringify(body));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ProjectLockError(`Cannot create lock ${path} (${(error as Error).message}).`);
  }
}

/** Runs fn while holding the lock at `path`. Synchronous so it cannot be interleaved in-process. */
export function withLock<T>(path: string, fn: () => T, timeoutMs = 10_000): T {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  while (!tryCreate(path)) {
    if (isStale(path, Date.now())) {
      // Two processes may both judge it stale; only the one whose unlink succeeds matters,
      // the other's create simply fails again and it waits.
      try {
        unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new ProjectLockError(`Project is locked by another process (${path}); close the other window or delete the lock file if no EdgeQuant process is running.`);
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    return fn();
  } finally {
    unlinkSync(path);
  }
}

/**
 * Removes those of the locks at `paths` that thread `thread` of this process holds: a worker
 * terminated inside a locked section cannot release them, and its pid (ours) looks alive.
 * Returns the paths released.
 */
export function releaseThreadLocks(paths: string[], thread: number): string[] {
  const released: string[] = [];
  for (const path of paths) {
    let content: LockContent;
    try {
      content = JSON.parse(readFileSync(path, 'utf8')) as LockContent;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) continue; // free, or being written by a live holder
      throw error;
    }
    if (content.pid !== process.pid || content.host !== hostname() || content.thread !== thread) continue;
    try {
      unlinkSync(path);
      released.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return released;
}

