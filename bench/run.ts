// `npm run bench [-- filter…]`: runs every bench/*.bench.ts in its own Node process (so peak
// memory and timings do not leak between benchmarks), streams their output, and prints one
// closing line. Each benchmark prints lines starting with `BENCH {json}`; they are collected
// into test-output/bench/results.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('No benchmarks matched.');
  process.exit(1);
}
const results: unknown[] = [];
let failed = 0;
for (const file of files) {
  console.log(`== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], { cwd: root, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(run.stdout ?? '');
  process.stderr.write(run.stderr ?? '');
  for (const line of (run.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH ')) results.push({ file, ...(JSON.parse(line.slice(6)) as object) });
  }
  if (run.status !== 0) {
    failed++;
    console.log(`   ${file} exited with ${run.status ?? run.signal}`);
  }
}
mkdirSync(join(root, 'test-output', 'bench'), { recursive: true });
writeFileSync(join(root, 'test-output', 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`${files.length - failed} benchmarks passed, ${failed} failed (results: test-output/bench/results.json)`);
process.exit(failed ? 1 : 0);
