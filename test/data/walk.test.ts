// Bounded folder walks: symlink loops end, and depth, entry and file bounds stop a walk with a
// one-line error naming the folder and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderWalkError, walkFiles } from '../../src-main/data/walk';

const png = (name: string) => name.endsWith('.png');

test('a symlink loop and a second link to the same folder are each read once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eq-walk-'));
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'b', 'x.png'), '');
  writeFileSync(join(root, 'y.png'), '');
  symlinkSync('../..', join(root, 'a', 'b', 'loop'));
  symlinkSync(join(root, 'a'), join(root, 'again'));
  symlinkSync(join(root, 'missing'), join(root, 'dangling.png'));
  assert.deepEqual(await walkFiles(root, { accept: png, followSymlinks: true }), ['a/b/x.png', 'y.png']);
  assert.deepEqual(await walkFiles(root, { accept: png }), ['a/b/x.png', 'y.png']);
});

test('depth, entry and file bounds stop the walk with a one-line error', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eq-walk-'));
  mkdirSync(join(root, '1', '2', '3', '4'), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(root, `f${i}.png`), '');
  await assert.rejects(walkFiles(root, { accept: png, maxDepth: 3, what: 'Calibration folder' }), (e: unknown) => {
    return e instanceof FolderWalkError && /^Calibration folder .* nests folders deeper than 3 levels \(at 1\/2\/3\/4\); pick a flatter folder\.$/.test(e.message);
  });
  await assert.rejects(walkFiles(root, { accept: png, maxFiles: 10 }), /holds more than 10 matching files; pick a smaller folder/);
  await assert.rejects(walkFiles(root, { accept: () => false, maxEntries: 20 }), /holds more than 20 entries; pick the folder of the data itself/);
  await assert.rejects(walkFiles(join(root, 'f1.png'), { accept: png }), /is not a folder/);
});
