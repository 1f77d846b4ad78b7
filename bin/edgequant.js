#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js) when present, else the TypeScript source through tsx,
// so `npx edgequant` works both after `npm run build` and in a fresh checkout.
import { existsSync } from 'node:fs';
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

async function loadCli() {
  if (existsSync(built) && process.env.EDGEQUANT_FROM_SOURCE !== '1') return import(pathToFileURL(built).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, 'src-main', 'cli', 'main.ts')).href);
}
