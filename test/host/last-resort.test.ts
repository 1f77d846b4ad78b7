// The host's last line: an error no handler caught is one typed stderr line, and the process
// goes on (without keepHostAlive, Node exits on the first one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/build';

function run(guarded: boolean) {
  const module = JSON.stringify(join(repoRoot, 'src-main', 'host', 'last-resort.ts'));
  const script = `
    const { keepHostAlive } = await import(${module});
    if (${guarded}) keepHostAlive();
    setTimeout(() => { throw new TypeError('boom in a timer'); }, 10);
    setTimeout(() => { void Promise.reject(new RangeError('lost promise')); }, 20);
    setTimeout(() => console.log('still serving'), 200);`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
}

test('an uncaught exception and an unhandled rejection are logged as typed lines; the process lives', () => {
  const guarded = run(true);
  assert.equal(guarded.status, 0, guarded.stderr);
  assert.equal(guarded.stdout.trim(), 'still serving');
  const lines = guarded.stderr.trim().split('\n');
  assert.equal(lines.length, 2, guarded.stderr);
  assert.match(lines[0]!, /^edgequant host: internal error \(uncaught exception, INTERNAL TypeError\): boom in a timer .*; the host keeps running\.$/);
  assert.match(lines[1]!, /^edgequant host: internal error \(unhandled rejection, INTERNAL RangeError\): lost promise/);
  const unguarded = run(false);
  assert.notEqual(unguarded.status, 0, 'without the guard the process dies');
});
