// The data module's folder listings go through the bounded walk (walk.ts): an image folder and a
// calibration set hashed for a run end on symlink loops (before: the hash recursed through the
// loop until the path was too long and failed with a raw ELOOP/ENAMETOOLONG), and folders below
// an image folder's class sub-folders are left unread as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { hashSet } from '../../src-main/data/hashing';
import { listImages } from '../../src-main/data/images';

function loopedFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'eq-walk-callers-'));
  mkdirSync(join(root, 'cat', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'dog'));
  writeFileSync(join(root, 'cat', 'b.png'), 'b');
  writeFileSync(join(root, 'cat', 'a.png'), 'a');
  writeFileSync(join(root, 'cat', 'deeper', 'ignored.png'), 'x');
  writeFileSync(join(root, 'dog', 'c.jpg'), 'c');
  writeFileSync(join(root, 'dog', 'notes.txt'), 'n');
  symlinkSync('..', join(root, 'cat', 'up'));
  symlinkSync(root, join(root, 'self'));
  return root;
}

test('listImages: class sub-folders labelled, deeper folders and symlink loops left unread', async () => {
  const root = loopedFolder();
  const images = await listImages(root);
  assert.deepEqual(
    images.map((e) => [relative(root, e.path), e.label]),
    [
      ['cat/a.png', 'cat'],
      ['cat/b.png', 'cat'],
      ['dog/c.jpg', 'dog'],
    ],
  );
});

test('hashSet on a folder with a symlink loop hashes each file once and ends', async () => {
  const root = loopedFolder();
  const hashed = await hashSet(root);
  assert.equal(hashed.files, 5);
  assert.equal(hashed.bytes, 5);
  assert.match(hashed.sha256, /^[0-9a-f]{64}$/);
});
