// A folder the user typed: '~' and relative paths are taken from the user's home folder, never
// from wherever the app happens to run (its install folder).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export function resolveUserPath(path: string, home: string = homedir()): string {
  const trimmed = path.trim();
  if (trimmed === '~') return home;
  if (trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return resolve(join(home, trimmed.slice(2)));
  return isAbsolute(trimmed) ? resolve(trimmed) : resolve(join(home, trimmed));
}
