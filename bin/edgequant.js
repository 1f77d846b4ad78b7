#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js) when it is newer than the sources, else the TypeScript
// source through tsx, so `npx edgequant` works after `npm run build`, in a fresh checkout and
// while developing (a stale build is never used).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
const { runCli } = await loadCli();
const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;

/** Newest modification time under a folder (the engine sources), to spot a stale build. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  if (!existsSync(built) || process.env.EDGEQUANT_FROM_SOURCE === '1') return false;
  const sources = join(root, 'src-main');
  return !existsSync(sources) || statSync(built).mtimeMs >= newestMtime(sources);
}

async function loadCli() {
  if (builtIsCurrent()) return import(pathToFileURL(built).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, 'src-main', 'cli', 'main.ts')).href);
}
