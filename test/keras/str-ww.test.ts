// Done-when: str_ww_ref_model.h5 (Keras 2.14, DS-CNN streaming wake word) converts and matches
// the Keras model run in TF.js on its 45 real calibration samples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { Hdf5File } from '../../src-main/formats/hdf5/h5file';
import { Keras2H5Weights } from '../../src-main/formats/keras/weights';
import { convertTo, fixture, hasFixtures, runTflite, sqnrDb, tempDir, top1Agreement } from '../convert/helpers';
import { npyToFloat32, parseNpy } from '../../src-main/data/npy';
import { kerasInTfjs, runTfjs } from './tfjs-reference';

test('str_ww_ref_model.h5 converts and matches Keras in TF.js on real samples', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
  const h5 = fixture('mlperf-tiny', 'str_ww', 'str_ww_ref_model.h5');
  const result = await convertTo(tempDir(), h5);
  assert.equal(result.opHistogram['MUL'], undefined, 'BatchNorm folded');
  const npz = unzipSync(new Uint8Array(readFileSync(fixture('mlperf-tiny', 'str_ww', 'calibration_samples.npz'))));
  const specs = parseNpy(npz['specs.npy']!);
  const per = 30 * 40;
  const values = npyToFloat32(specs);
  const samples = Array.from({ length: specs.shape[0]! }, (_, k) => values.slice(k * per, (k + 1) * per));
  const file = await Hdf5File.open(h5);
  const keras = await kerasInTfjs(JSON.parse(String(file.attr('/', 'model_config'))), new Keras2H5Weights(file, '/model_weights'));
  file.close();
  const ref = await runTfjs(keras, samples, [1, 30, 1, 40]);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  const sqnr = sqnrDb(ref, got);
  console.log(`# str_ww: ${result.bytes} B ${JSON.stringify(result.opHistogram)} SQNR vs TF.js ${sqnr.toFixed(1)} dB on ${samples.length} samples`);
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB < 60`);
  assert.equal(top1Agreement(ref, got), 1);
});
