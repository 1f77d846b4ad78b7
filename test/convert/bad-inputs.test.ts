// Broken inputs exit 2 with one line naming the problem, and nothing is written: a truncated
// .h5, a .keras zip with '../' or absolute entries, a zip bomb, a model needing a pinned shape.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { cli } from '../helpers/cli';
import { deflateZeros, zipOf } from '../helpers/zip-bomb';
import { fixture, hasFixtures, tempDir } from './helpers';

const convertCli = (args: string[]) => cli(['convert', ...args]);

function assertOneLine(text: string, pattern: RegExp): void {
  assert.equal(text.trim().split('\n').length, 1, `one line expected, got: ${text}`);
  assert.match(text, pattern);
}

const config = JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'x', batch_shape: [null, 4] } }, { class_name: 'Dense', config: { name: 'd', units: 2 } }] } });

test('a truncated .h5 exits 2 with one line and writes nothing', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
  const dir = tempDir();
  const bad = join(dir, 'truncated.h5');
  writeFileSync(bad, readFileSync(fixture('mlperf-tiny', 'vww', 'vww_96.h5')).subarray(0, 20000));
  const r = await convertCli([bad, '-o', join(dir, 'out.tflite')]);
  assert.equal(r.code, 2);
  assertOneLine(r.err, /truncated/);
  assert.deepEqual(readdirSync(dir), ['truncated.h5']);
});

for (const entry of ['../evil.txt', '/tmp/evil-abs.txt', 'sub/../../evil.txt']) {
  test(`a .keras zip with the entry '${entry}' is refused`, async () => {
    const dir = tempDir();
    const bad = join(dir, 'model.keras');
    writeFileSync(bad, zipSync({ 'config.json': new TextEncoder().encode(config), [entry]: new TextEncoder().encode('pwned') }));
    const r = await convertCli([bad, '-o', join(dir, 'out.tflite')]);
    assert.equal(r.code, 2);
    assertOneLine(r.err, /unsafe zip entry/);
    assert.deepEqual(readdirSync(dir), ['model.keras']);
    assert.ok(!existsSync(join(dir, '..', 'evil.txt')) && !existsSync('/tmp/evil-abs.txt'));
  });
}

test('a .keras zip bomb is refused before inflating', async () => {
  const dir = tempDir();
  const bad = join(dir, 'bomb.keras');
  // 64 MiB of zeros deflated by hand at ~160x (fflate at level 9 took ~17 s to write the same).
  const json = new TextEncoder().encode(config);
  const weights = deflateZeros(new Uint8Array(0), 64 * 1024 * 1024);
  writeFileSync(bad, zipOf([{ name: 'config.json', data: json, method: 0, size: json.length }, { name: 'model.weights.h5', data: weights, method: 8, size: 64 * 1024 * 1024 }]));
  const r = await convertCli([bad, '-o', join(dir, 'out.tflite')]);
  assert.equal(r.code, 2);
  assertOneLine(r.err, /zip bomb/);
  assert.deepEqual(readdirSync(dir), ['bomb.keras']);
});

test('a file that is no model exits 2 with one line', async () => {
  const dir = tempDir();
  const bad = join(dir, 'notes.h5');
  writeFileSync(bad, 'just text');
  const r = await convertCli([bad, '-o', join(dir, 'out.tflite')]);
  assert.equal(r.code, 2);
  assertOneLine(r.err, /not a model file/);
});

test('convert validates its flags', async () => {
  const dir = tempDir();
  assertOneLine((await convertCli([join(dir, 'm.h5')])).err, /-o OUT\.tflite/);
  const q = await convertCli([join(dir, 'm.h5'), '-o', join(dir, 'o.tflite'), '--quantize', 'int4']);
  assert.equal(q.code, 2);
  assertOneLine(q.err, /--quantize must be one of/);
  assertOneLine((await convertCli([join(dir, 'm.h5'), '-o', join(dir, 'o.tflite'), '--samples', '10'])).err, /need --calibration/);
  assertOneLine((await convertCli([join(dir, 'm.h5'), '-o', join(dir, 'o.tflite'), '--input-shape', '1,0'])).err, /--input-shape must be positive integers/);
});
