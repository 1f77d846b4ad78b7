// Started by scripts/test.mjs (with --import tsx, which every test file's process inherits):
// `run-test-files.mjs TAP_PATH CONCURRENCY FILE…` runs the files through node:test's run(), which
// starts them in the order given (`node --test` sorts its files by path), and writes node's spec
// report to stdout and a TAP copy to TAP_PATH.
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

const [tapPath, concurrency, ...files] = process.argv.slice(2);
const stream = run({ files: files.map((f) => resolve(f)), concurrency: Number(concurrency), timeout: 600_000 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
stream.compose(tap).pipe(createWriteStream(tapPath));
