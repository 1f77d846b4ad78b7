// The demo project asked for twice at once (two pages open, a double click): one creation, both
// callers get the same complete project, no write into a folder the other removed.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_DIGITS, DEMO_DIGITS_PER_CLASS, ensureDemoProject } from '../../src-main/projects/demo';
import { readManifest } from '../../src-main/projects/project';

test('two concurrent demo creations give one complete project', async () => {
  const home = mkdtempSync(join(tmpdir(), 'eq-demo-race-'));
  try {
    const [a, b, c] = await Promise.all([ensureDemoProject(home), ensureDemoProject(home), ensureDemoProject(home)]);
    assert.equal(a, b);
    assert.equal(b, c);
    const digits = join(a, DEMO_DIGITS);
    for (let d = 0; d < 10; d++) assert.equal(readdirSync(join(digits, String(d))).length, DEMO_DIGITS_PER_CLASS, `digit ${d}`);
    assert.deepEqual(readdirSync(a).filter((f) => f.includes('.partial')), [], 'no partial folder left');
    assert.equal(readManifest(a).models.length, 1);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
