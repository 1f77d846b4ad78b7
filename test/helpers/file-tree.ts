// Small trees of text files and relative symlinks, the way /sys and /dev look, built in a test's
// own folder (serial port and board discovery read such trees through a root they are given).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Writes each entry as a one-line text file (sysfs attributes end with a newline). */
export function files(folder: string, entries: Record<string, string>): void {
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(folder, name), `${text}\n`);
}

/** A symlink at `at` to `target`, written relative (as sysfs links are), parents created. */
export function link(at: string, target: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(relative(dirname(at), target), at);
}
