// Real processes: a run owner killed with SIGKILL, a writer killed mid-write, concurrent writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { finishRun, initProject, listRuns, openProject, readManifest, readRun, startRun } from '../../src-main/projects/index';

const child = join(import.meta.dirname, 'child.ts');

function spawnChild(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function firstLine(proc: ChildProcess): Promise<string> {
  let text = '';
  for await (const chunk of proc.stdout!) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0]!;
  }
  throw new Error('child exited without printing a run id');
}

async function kill9(proc: ChildProcess): Promise<void> {
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

test('a run whose process is killed with -9 is marked failed on next open; earlier runs intact', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'eq-kill-')), 'p');
  initProject(dir);
  const earlier = await startRun(dir, { kind: 'convert', n: 1 });
  finishRun(earlier, { status: 'succeeded', metrics: { accuracy: 0.9 } });
  const before = readFileSync(join(dir, 'runs', earlier.id, 'run.json'), 'utf8');

  const proc = spawnChild(['hold', dir]);
  const id = await firstLine(proc);
  // While the owner lives the run stays running, even across opens.
  assert.equal(openProject(dir).recovered.length, 0);
  assert.equal(readRun(dir, id).status, 'running');
  await kill9(proc);

  const opened = openProject(dir);
  assert.deepEqual(opened.recovered.map((r) => r.id), [id]);
  const run = readRun(dir, id);
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.code, 'INTERRUPTED');
  assert.match(run.error!.message, new RegExp(`process ${proc.pid}`));
  assert.equal(readFileSync(join(dir, 'runs', earlier.id, 'run.json'), 'utf8'), before);
  assert.deepEqual(listRuns(dir).map((r) => [r.id, r.status]), [[id, 'failed'], [earlier.id, 'succeeded']]);
  assert.equal(openProject(dir).recovered.length, 0); // settled once
});

test('kill -9 in the middle of a stream of writes leaves every JSON file whole', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'eq-churn-')), 'p');
  initProject(dir);
  for (let round = 0; round < 3; round++) {
    const proc = spawnChild(['churn', dir]);
    await firstLine(proc);
    await new Promise((r) => setTimeout(r, 150 + round * 100));
    await kill9(proc);
    // Locks left behind by the dead writer are stale and recovered; nothing is torn.
    const opened = openProject(dir);
    assert.equal(opened.recovered.length, 1);
    assert.ok(readManifest(dir).devices.length === 50 || readManifest(dir).devices.length === 0);
    for (const run of listRuns(dir)) {
      const record = readRun(dir, run.id);
      assert.equal(record.status, 'failed');
      assert.equal(typeof record.metrics.step === 'number' || record.metrics.step === undefined, true);
    }
    // Temp files of an interrupted write may remain; they are never mistaken for records.
    for (const name of readdirSync(join(dir, 'runs'))) assert.ok(!name.endsWith('.json') || name === 'index.json', name);
  }
  assert.equal(listRuns(dir).length, 3);
});

test('several processes writing runs and the manifest at once lose nothing', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'eq-concurrent-')), 'p');
  initProject(dir);
  const writers = 4;
  const each = 15;
  const procs = Array.from({ length: writers }, (_, w) => spawnChild(['write', dir, `w${w}`, String(each)]));
  const codes = await Promise.all(procs.map(async (p) => (await once(p, 'exit'))[0]));
  assert.deepEqual(codes, Array(writers).fill(0));
  const runs = listRuns(dir);
  assert.equal(runs.length, writers * each);
  assert.ok(runs.every((r) => r.status === 'succeeded'));
  // The index as written by the writers (not a rebuild) already holds every run.
  const index = JSON.parse(readFileSync(join(dir, 'runs', 'index.json'), 'utf8')) as { runs: Record<string, unknown> };
  assert.equal(Object.keys(index.runs).length, writers * each);
  assert.equal(readManifest(dir).devices.length, writers * each);
});
