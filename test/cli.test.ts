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
