// `node scripts/test-times.mjs [FILTER…]`: runs each matching test file alone, one after the other,
// and prints the files by CPU time, longest first, with their wall time and the load average.
// CPU time (user + system of the file's processes, from bash's `times`) is the figure to compare on
// a shared machine; wall time grows with the load. Used to keep LONGEST_FIRST in scripts/test.mjs.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { testFiles } from './test-files.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

const files = testFiles(root, filters);
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

/** Seconds from a `times` figure such as 1m2.345s. */
const seconds = (figure) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(figure);
  if (!m) throw new Error(`Unexpected \`times\` output: ${figure}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

const rows = [];
for (const file of files) {
  const load = loadavg()[0];
  const started = performance.now();
  // `times` prints the shell's, then its children's user and system time: the second line is the file's.
  const script = `node --import tsx --test --test-concurrency=1 --test-timeout=600000 --test-reporter=dot "$1" >/dev/null 2>&1; rc=$?; times; exit $rc`;
  const result = spawnSync('bash', ['-c', script, 'bash', file], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test' } });
  const wall = (performance.now() - started) / 1000;
  const [user, system] = result.stdout.trim().split('\n').at(-1).trim().split(/\s+/).map(seconds);
  const row = { file, cpu: user + system, wall, load, ok: result.status === 0 };
  rows.push(row);
  console.error(`${row.cpu.toFixed(1).padStart(7)} s CPU ${row.wall.toFixed(1).padStart(7)} s wall  load ${load.toFixed(1)}  ${row.ok ? '' : 'FAILED '}${file}`);
}
rows.sort((a, b) => b.cpu - a.cpu);
console.log('CPU s   wall s  load  file');
for (const r of rows) console.log(`${r.cpu.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(7)} ${r.load.toFixed(1).padStart(5)}  ${r.ok ? '' : 'FAILED '}${r.file}`);
console.log(`total ${rows.reduce((n, r) => n + r.cpu, 0).toFixed(0)} s CPU in ${files.length} files`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
