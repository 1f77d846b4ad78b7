// An image folder whose sub-folders are classes: labels per sample (from folder names, sorted,
// or a labels/classes file's order), a held-out split that is stratified, deterministic and never
// meets calibration, and one disk read per image across calibration and validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../src-main/data/open';
import { DataReader } from '../../src-main/data/reader';
import { CalibrationDataError, chooseIndices, splitIndices } from '../../src-main/data/dataset';
import { findClassNamesFile, readClassNames } from '../../src-main/data/class-names';

const input = [{ name: 'x', shape: [1, 4, 4, 1], dtype: 'float32' }];
/** Classes with unequal sizes: bird 5, cat 10, dog 15 (a plain shuffle would not keep 20% of each). */
const SIZES = { dog: 15, cat: 10, bird: 5 } as const;

async function makeFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eq-labelled-'));
  let k = 0;
  for (const [name, n] of Object.entries(SIZES)) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < n; i++) {
      const pixels = Buffer.alloc(16, (k++ * 7) % 256);
      await sharp(pixels, { raw: { width: 4, height: 4, channels: 1 } }).png().toFile(join(dir, name, `${i}.png`));
    }
  }
  return dir;
}

async function collect(dir: string, options: Parameters<typeof openDataset>[2]) {
  const dataset = await openDataset(dir, input, { preprocess: '0..1', warnFewSamples: false, ...options });
  const out: { file: string; label: number }[] = [];
  for await (const s of dataset.samples()) out.push({ file: s.file!, label: s.label! });
  await dataset.close();
  return { classes: dataset.classes, samples: out };
}

test('class folders label each sample; the held-out share is stratified, deterministic and apart from calibration; each image is read once', async () => {
  const dir = await makeFolder();
  const reader = new DataReader();
  const holdOut = (part: 'calibration' | 'validation') => ({ seed: 7, reader, holdOut: { fraction: 0.2, part } });
  const validation = await collect(dir, holdOut('validation'));
  const calibration = await collect(dir, { ...holdOut('calibration'), samples: 100 });
  assert.deepEqual(validation.classes, ['bird', 'cat', 'dog'], 'folder names, sorted');
  for (const s of [...validation.samples, ...calibration.samples]) assert.equal(validation.classes![s.label], s.file.split('/')[0], `${s.file} labelled by its folder`);
  // 20% of 30 = 6: 1 bird, 2 cats, 3 dogs.
  const perClass = (samples: { label: number }[]) => [0, 1, 2].map((c) => samples.filter((s) => s.label === c).length);
  assert.deepEqual(perClass(validation.samples), [1, 2, 3]);
  assert.deepEqual(perClass(calibration.samples), [4, 8, 12]);
  const held = new Set(validation.samples.map((s) => s.file));
  assert.ok(calibration.samples.every((s) => !held.has(s.file)), 'calibration never reads a held-out image');
  assert.equal(held.size + calibration.samples.length, 30);
  assert.equal(reader.readsPerFile(), 1, 'calibration after validation reads no image again');
  const again = await collect(dir, { seed: 7, holdOut: { fraction: 0.2, part: 'validation' } });
  assert.deepEqual(again.samples, validation.samples, 'the same split every time');
  const otherSeed = await collect(dir, { seed: 8, holdOut: { fraction: 0.2, part: 'validation' } });
  assert.deepEqual(perClass(otherSeed.samples), [1, 2, 3]);
  assert.notDeepEqual(otherSeed.samples, validation.samples, 'the seed picks which ones');
});

test('the stratified split depends only on who shares a class, and unlabelled data splits as before', () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 3);
  const renamed = labels.map((l) => [2, 0, 1][l]!);
  const part = (p: 'calibration' | 'validation', l?: number[]) => splitIndices(50, 100, 3, { fraction: 0.2, part: p }, l);
  assert.deepEqual(part('validation', labels), part('validation', renamed));
  assert.equal(part('validation', labels).length, 10);
  assert.deepEqual(part('validation'), chooseIndices(50, 50, 3).slice(40), 'without labels: the last 20% of the shuffle, as before');
  const all = [...part('validation', labels), ...part('calibration', labels)].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 50 }, (_, i) => i));
});

test('a labels file next to the model gives the class order; a folder missing from it is a clear error', async () => {
  const dir = await makeFolder();
  const model = mkdtempSync(join(tmpdir(), 'eq-model-'));
  writeFileSync(join(model, 'model.json'), '{}');
  assert.equal(findClassNamesFile(join(model, 'model.json'), dir), undefined);
  writeFileSync(join(model, 'labels.txt'), 'dog\ncat\n\nbird\n');
  const file = findClassNamesFile(join(model, 'model.json'), dir)!;
  assert.equal(file, join(model, 'labels.txt'));
  const names = await readClassNames(file);
  assert.deepEqual(names, ['dog', 'cat', 'bird']);
  const { classes, samples } = await collect(dir, { classNames: { names, file } });
  assert.deepEqual(classes, ['dog', 'cat', 'bird']);
  assert.ok(samples.every((s) => names[s.label] === s.file.split('/')[0]));
  writeFileSync(join(model, 'labels.txt'), 'dog\ncat\n');
  await assert.rejects(collect(dir, { classNames: { names: await readClassNames(file), file } }), (e: Error) => e instanceof CalibrationDataError && /'bird' are not in labels\.txt \(2 classes\)/.test(e.message));
  writeFileSync(join(model, 'classes.json'), '{"1": "cat", "0": "dog", "2": "bird"}');
  assert.deepEqual(await readClassNames(join(model, 'classes.json')), ['dog', 'cat', 'bird']);
  writeFileSync(join(model, 'classes.json'), '["dog", "dog"]');
  await assert.rejects(readClassNames(join(model, 'classes.json')), /'dog' is listed twice/);
});
