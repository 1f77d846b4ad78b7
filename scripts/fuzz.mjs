// `npm run fuzz`: runs every fuzz/*.fuzz.ts in its own process (arguments after `--` go to each,
// e.g. `npm run fuzz -- --iterations 2000`), collects the JSON lines they print
//   {"target":…,"tried":…,"clean":…,"crashes":…,"hangs":…,"untyped":…}
// and prints one table. Exit 1 when any target crashed, hung or gave an untyped error.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const suites = readdirSync(join(root, 'fuzz')).filter((f) => f.endsWith('.fuzz.ts')).sort();
const rows = [];
let failed = false;
for (const suite of suites) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join('fuzz', suite), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const lines = (result.stdout ?? '').split('\n').filter((l) => l.startsWith('{'));
  const found = lines.flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
  if (found.length === 0) {
    rows.push({ suite, target: '(no result)', tried: 0, clean: 0, crashes: 0, hangs: 0, untyped: 0, note: `exit ${result.status ?? result.signal}` });
    failed = true;
  }
  for (const r of found) rows.push({ suite, ...r, note: r.skipped ?? '' });
  if (result.status !== 0) failed = true;
  console.error(`${suite}: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${result.status ?? result.signal}`);
}
const columns = ['suite', 'target', 'tried', 'clean', 'crashes', 'hangs', 'untyped', 'note'];
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
console.log(line(columns));
for (const r of rows) console.log(line(columns.map((c) => r[c] ?? '')));
process.exitCode = failed ? 1 : 0;
