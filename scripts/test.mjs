// `npm test`: every test/**/*.test.ts through node:test (tsx loader). Prints node's spec
// report, then one closing line `N passed, N failed, N skipped` read from a TAP copy.
// Arguments narrow the run: `npm test -- quantize` runs files whose path contains "quantize".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testFiles } from './test-files.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

// The longest files, longest first (CPU time of each run alone, `node scripts/test-times.mjs`,
// 2026-12-04: the files of 12 s and more), started before the others.
// A long file started last would leave one worker busy alone at the end; started first, the short
// ones fill in around it (scripts/run-test-files.mjs keeps this order).
const LONGEST_FIRST = [
  'test/search/search.test.ts',
  'test/detect/yolov8.test.ts',
  'test/quantize/keep-worst-float.test.ts',
  'test/e2e/graph-view.test.ts',
  'test/quantize/nsfwjs.test.ts',
  'test/quantize/official-accuracy.test.ts',
  'test/e2e/detect-view.test.ts',
  'test/quantize/lstm.test.ts',
  'test/e2e/search-view.test.ts',
  'test/compute/debug-workers.test.ts',
  'test/detect/nanodet-int8.test.ts',
  'test/detect/snippets.test.ts',
  'test/e2e/classify-results.test.ts',
  'test/compute/evaluate-workers.test.ts',
  'test/e2e/workbench-history.test.ts',
  'test/e2e/debug-view.test.ts',
  'test/e2e/studio.test.ts',
  'test/app/detect-run-nanodet.test.ts',
  'test/compute/gptq-workers.test.ts',
  'test/e2e/app.test.ts',
  'test/e2e/devices-discover.test.ts',
  'test/e2e/screenshots.test.ts',
  'test/e2e/workbench-runs.test.ts',
  'test/compute/pool.test.ts',
  'test/e2e/workbench-jobs.test.ts',
  'test/app/detect-run.test.ts',
];
const rank = (f) => {
  const k = LONGEST_FIRST.indexOf(f.replaceAll('\\', '/'));
  return k < 0 ? LONGEST_FIRST.length : k;
};
const files = testFiles(root, filters).sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
mkdirSync(join(root, 'test-output'), { recursive: true });
// One TAP file per run, so two `npm test` runs at once do not count each other's results.
const tap = join(root, 'test-output', `results-${process.pid}.tap`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'scripts', 'run-test-files.mjs'), tap, process.env.TEST_CONCURRENCY ?? '2', ...files],
  // A watchdog: a test file that never exits must fail the run, not hang CI.
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' }, timeout: 45 * 60_000, killSignal: 'SIGKILL' },
);
if (result.error) console.error(`The test run was stopped: ${result.error.message}`);
const counts = { pass: 0, fail: 0, skipped: 0, todo: 0 };
try {
  const text = readFileSync(tap, 'utf8');
  for (const key of Object.keys(counts)) {
    const m = text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
    if (m) counts[key] = Number(m[1]);
  }
} catch {
  console.error('The test run wrote no TAP report.');
  counts.fail += 1;
}
rmSync(tap, { force: true });
const failed = counts.fail + (result.status !== 0 && counts.fail === 0 ? 1 : 0);
console.log(`${counts.pass} passed, ${failed} failed, ${counts.skipped + counts.todo} skipped`);
process.exit(failed > 0 ? 1 : 0);
