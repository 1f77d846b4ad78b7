// Identifies the process that owns a running run, so a later open can tell whether it died.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunOwner } from './types';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot (Linux only). */
export function processStartTicks(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined; // process gone or /proc unavailable: the caller treats it as unknown
  }
}

export function currentOwner(): RunOwner {
  const startTicks = processStartTicks(process.pid);
  return startTicks === undefined ? { pid: process.pid, host: hostname() } : { pid: process.pid, host: hostname(), startTicks };
}

/** True only when we can prove the owner is gone (same host, pid dead or recycled). */
export function isOwnerDead(owner: RunOwner | undefined): boolean {
  if (!owner) return true;
  if (owner.host !== hostname()) return false;
  if (!isProcessAlive(owner.pid)) return true;
  if (owner.startTicks !== undefined) {
    const now = processStartTicks(owner.pid);
    if (now !== undefined && now !== owner.startTicks) return true;
  }
  return false;
}
