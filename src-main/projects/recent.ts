// The recent-projects list in $EDGEQUANT_HOME/recent-projects.json (newest first, at most 12).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { edgequantHome } from '../devices/home';
import { readJson, writeJsonAtomic } from './atomic-json';
import { withLock } from './lock';
import type { RecentProject } from './api-contract';

const MAX_RECENT = 12;
const file = (home: string) => join(home, 'recent-projects.json');

export function readRecent(home = edgequantHome()): RecentProject[] {
  if (!existsSync(file(home))) return [];
  const list = readJson<{ projects: Omit<RecentProject, 'exists'>[] }>(file(home), 'Recent projects list').projects ?? [];
  return list.map((p) => ({ ...p, exists: existsSync(join(p.dir, 'edgequant-project.json')) }));
}

export function rememberProject(dir: string, name: string, home = edgequantHome()): void {
  const root = resolve(dir);
  mkdirSync(home, { recursive: true });
  withLock(join(home, '.recent.lock'), () => {
    const list = readRecent(home).filter((p) => p.dir !== root).map(({ exists: _exists, ...p }) => p);
    list.unshift({ dir: root, name, openedAt: new Date().toISOString() });
    writeJsonAtomic(file(home), { projects: list.slice(0, MAX_RECENT) });
  });
}

/** Removes a folder from the list (a stale entry whose folder moved or was deleted). */
export function forgetProject(dir: string, home = edgequantHome()): RecentProject[] {
  const root = resolve(dir);
  if (!existsSync(file(home))) return [];
  withLock(join(home, '.recent.lock'), () => {
    const list = readRecent(home).filter((p) => p.dir !== root).map(({ exists: _exists, ...p }) => p);
    writeJsonAtomic(file(home), { projects: list });
  });
  return readRecent(home);
}
