// A short seeded run of the host fuzz (fuzz/host.fuzz.ts) in `npm test`: 300 malformed requests
// without the token and 300 malformed messages with it; no crash, hang or untyped outcome, and
// the host answers a health request after each batch. `npm run fuzz` runs the long version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build';

test('host fuzz, 300 + 300 seeded cases: 0 crashes, 0 hangs, 0 untyped', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('fuzz', 'host.fuzz.ts'), '--iterations', '300', '--seed', '7'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  const result = JSON.parse(line) as { target: string; tried: number; clean: number; crashes: number; hangs: number; untyped: number };
  assert.equal(result.target, 'host');
  assert.equal(result.tried, 600, line);
  assert.deepEqual([result.crashes, result.hangs, result.untyped], [0, 0, 0], `${line}\n${run.stderr}`);
  assert.equal(result.clean, 600);
  assert.equal(run.status, 0, run.stderr);
});
