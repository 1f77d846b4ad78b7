// Done-when for the MLPerf Tiny models: our float conversion of the Keras .h5 has the
// official float file's op histogram, its size within 1%, and the same outputs on ≥ 30
// real inputs in the same runtime (SQNR ≥ 60 dB, identical top-1).
// ad01 exception (measured): the official ad01_fp32.tflite lacks the Dense biases of the
// layers followed by BatchNormalization (its folded biases equal ours minus bias·scale to
// 2e-7), so it disagrees with the Keras model itself (38 dB). Our file is compared with the
// Keras model run in TF.js instead; the official file's SQNR against Keras is printed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { opHistogram } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { Hdf5File } from '../../src-main/formats/hdf5/h5file';
import { Keras2H5Weights } from '../../src-main/formats/keras/weights';
import { kerasInTfjs, runTfjs } from '../keras/tfjs-reference';
import { convertTo, fixture, hasFixtures, loadPhoto, photoFiles, runTflite, sqnrDb, tempDir, top1Agreement } from './helpers';

interface Case {
  name: string;
  h5: string[];
  official: string[];
  samples: () => Promise<Float32Array[]>;
}

async function photos(size: number): Promise<Float32Array[]> {
  const files = photoFiles();
  assert.ok(files.length >= 30, `need ≥ 30 photos, found ${files.length}`);
  return Promise.all(files.map((f) => loadPhoto(f, size)));
}

/** 30 windows of 5 consecutive log-mel frames (640 values) from the real DCASE data. */
function logMelWindows(): Float32Array[] {
  const buf = readFileSync(fixture('mlperf-tiny', 'ad01', 'dcase_logmel_200x128_f32.bin'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Array.from({ length: 30 }, (_, k) => all.slice(k * 6 * 128, k * 6 * 128 + 640));
}

const cases: Case[] = [
  { name: 'vww_96', h5: ['mlperf-tiny', 'vww', 'vww_96.h5'], official: ['mlperf-tiny', 'vww', 'vww_96_float.tflite'], samples: () => photos(96) },
  { name: 'resnet8', h5: ['mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'], official: ['mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite'], samples: () => photos(32) },
  { name: 'ad01', h5: ['mlperf-tiny', 'ad01', 'ad01.h5'], official: ['mlperf-tiny', 'ad01', 'ad01_fp32.tflite'], samples: async () => logMelWindows() },
];

for (const c of cases) {
  test(`${c.name}: float conversion matches the official converter`, { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
    const dir = tempDir();
    const result = await convertTo(dir, fixture(...c.h5));
    const ours = new Uint8Array(readFileSync(result.output));
    const officialBytes = new Uint8Array(readFileSync(fixture(...c.official)));
    const official = readTflite(officialBytes, { fileName: c.official.at(-1)! });
    // Same ops; the file we wrote reads back with the same histogram.
    assert.deepEqual(result.opHistogram, opHistogram(official.graphs[0]!));
    assert.deepEqual(opHistogram(readTflite(ours, { fileName: 'out.tflite' }).graphs[0]!), result.opHistogram);
    const ratio = ours.length / officialBytes.length;
    assert.ok(Math.abs(ratio - 1) <= 0.01, `size ${ours.length} vs official ${officialBytes.length} (${((ratio - 1) * 100).toFixed(2)}%)`);
    const samples = await c.samples();
    assert.ok(samples.length >= 30);
    if (c.name === 'ad01') {
      const file = await Hdf5File.open(fixture(...c.h5));
      const keras = await kerasInTfjs(JSON.parse(String(file.attr('/', 'model_config'))), new Keras2H5Weights(file, '/model_weights'));
      file.close();
      const ref = await runTfjs(keras, samples, [1, 640]);
      for (const runtime of ['litert-js', 'tflite-node'] as const) {
        const got = await runTflite(ours, samples, runtime);
        const official = await runTflite(officialBytes, samples, runtime);
        const sqnr = sqnrDb(ref, got);
        console.log(`# ad01 ${runtime}: ours vs Keras-in-tfjs ${sqnr.toFixed(1)} dB; official vs Keras ${sqnrDb(ref, official).toFixed(1)} dB`);
        assert.ok(sqnr >= 60, `${runtime}: SQNR vs Keras ${sqnr.toFixed(1)} dB < 60`);
      }
      return;
    }
    for (const runtime of ['litert-js', 'tflite-node'] as const) {
      const ref = await runTflite(officialBytes, samples, runtime);
      const got = await runTflite(ours, samples, runtime);
      const sqnr = sqnrDb(ref, got);
      console.log(`# ${c.name} ${runtime}: ${ours.length} B vs ${officialBytes.length} B, SQNR ${sqnr.toFixed(1)} dB over ${samples.length} inputs`);
      assert.ok(sqnr >= 60, `${runtime}: SQNR ${sqnr.toFixed(1)} dB < 60`);
      assert.equal(top1Agreement(ref, got), 1, `${runtime}: top-1 differs`);
    }
  });
}
