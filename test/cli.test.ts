import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../src-main/cli/main';
import { APP_VERSION } from '../src-main/version';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: process.cwd(), env: {} } };
}

test('--version prints the package version', async () => {
  const c = capture();
  assert.equal(await runCli(['--version'], c.io), 0);
  assert.equal(c.out.join(''), `${APP_VERSION}\n`);
});

test('an unknown command exits 2 with one line on stderr', async () => {
  const c = capture();
  assert.equal(await runCli(['nonsense'], c.io), 2);
  const text = c.err.join('');
  assert.match(text, /unknown command 'nonsense'/);
  assert.equal(text.trim().split('\n').length, 1);
});

test('a string option accepts a value that starts with a dash (--preprocess -1..1)', async () => {
  const { parseCommandArgs } = await import('../src-main/cli/command');
  const options = { preprocess: { type: 'string' }, json: { type: 'boolean' } } as const;
  const parsed = parseCommandArgs('convert', ['m.h5', '--preprocess', '-1..1', '--json'], options);
  assert.equal(parsed.values.preprocess, '-1..1');
  assert.equal(parsed.values.json, true);
  assert.deepEqual(parsed.positionals, ['m.h5']);
  // A known flag after a string option is still a missing value, reported as bad usage.
  assert.throws(() => parseCommandArgs('convert', ['--preprocess', '--json'], options), /argument missing|ambiguous/);
});
