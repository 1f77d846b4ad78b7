// Target: listing 1,000 runs takes < 100 ms with a fresh index and < 1 s when rebuilding it.
// Run: node --import tsx bench/projects-list.ts
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initProject, listRuns } from '../src-main/projects/index';
import { writeJsonAtomic } from '../src-main/projects/atomic-json';
import { seedRuns } from '../test/projects/seed-runs';

const dir = join(mkdtempSync(join(tmpdir(), 'eq-bench-list-')), 'p');
initProject(dir);
seedRuns(dir, 1000, { mkdirSync, writeJsonAtomic });
const time = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const rebuild = time(() => listRuns(dir));
const cached = [1, 2, 3, 4, 5].map(() => time(() => listRuns(dir))).sort((a, b) => a - b)[2]!;
const result = { runs: 1000, rebuildMs: +rebuild.toFixed(1), listMs: +cached.toFixed(1), targets: { rebuildMs: 1000, listMs: 100 } };
console.log(JSON.stringify(result));
rmSync(dir, { recursive: true, force: true });
process.exitCode = rebuild < 1000 && cached < 100 ? 0 : 1;
