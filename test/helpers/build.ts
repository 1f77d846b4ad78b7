// Makes sure the app is built (out/main/host.js and out/renderer/index.html) before a test
// uses it. .ci/run builds first; a lone `npm test` on a fresh clone builds here, once, under a
// lock so concurrent test files do not build over each other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = join(import.meta.dirname, '..', '..');
/** The demo's data as the build writes it (model, calibration, eval, digits; not committed): await ensureBuilt() first. */
export const demoData = join(repoRoot, 'out', 'demo');

export function isBuilt(): boolean {
  return ['out/main/host.js', 'out/main/job-worker.js', 'out/renderer/index.html', 'out/demo/demo-data.json'].every((f) => existsSync(join(repoRoot, f)));
}

export async function ensureBuilt(): Promise<void> {
  if (isBuilt()) return;
  mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
  const lock = join(repoRoot, 'test-output', '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 5 minutes is stale.
      const info = statSync(lock, { throwIfNoEntry: false });
      if (info && Date.now() - info.mtimeMs > 300_000) rmdirSync(lock);
      await sleep(500);
    }
  }
  try {
    if (isBuilt()) return;
    const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
