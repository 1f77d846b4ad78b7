// `npm start` on this machine (no Electron binary): builds, starts the browser host and prints
// its one line within 15 s; the printed URL serves the app and its token opens the API; no token, no API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { firstLine, HOST_LINE } from '../helpers/host';
import { repoRoot } from '../helpers/build';
import { openApiSocket } from '../helpers/host-probe';

test('npm start prints the host line within 15 s and its API takes the token only', async () => {
  const started = performance.now();
  // Own process group, so the whole npm → node tree stops at the end.
  // Its own build folder, so this build never replaces out/ under other tests.
  const env = { ...process.env, EDGEQUANT_OUT_DIR: 'test-output/start-out' };
  const child = spawn('npm', ['start', '--silent'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  try {
    const line = await firstLine(child, 15_000);
    const seconds = (performance.now() - started) / 1000;
    const match = HOST_LINE.exec(line);
    assert.ok(match, `unexpected first line: ${line}`);
    assert.ok(seconds < 15, `took ${seconds.toFixed(1)} s`);
    const url = match[1]!;
    const withToken = await fetch(url);
    assert.equal(withToken.status, 200);
    assert.match(await withToken.text(), /<title>EdgeQuant Studio<\/title>/);
    const port = Number(match[2]);
    await assert.rejects(openApiSocket(port), /HTTP 401/, 'the API refuses a socket without the token');
    const socket = await openApiSocket(port, { token: match[3]! });
    socket.close();
    assert.equal(stderr.join(''), '');
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }
});
