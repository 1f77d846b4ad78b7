// resnet8 (the tiny-MLPerf .h5) as float and int8 .tflite, the int8 calibrated on only 4 fixture
// photos (a bad calibration the debugger should explain), for the debugger tests. Each caller
// names its own files (`prefix`), so tests running in parallel do not share them.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import { fixture, imageFiles } from '../quantize/helpers';

export async function resnet8Cal4Pair(out: string, prefix: string, biasCorrection: boolean): Promise<{ float: Uint8Array; quant: Uint8Array }> {
  mkdirSync(out, { recursive: true });
  const h5 = fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5');
  const cal = join(out, `${prefix}cal4`);
  mkdirSync(cal, { recursive: true });
  for (const f of imageFiles('photos').slice(0, 4)) copyFileSync(f, join(cal, f.split('/').pop()!));
  const floatPath = join(out, `${prefix}resnet8-float.tflite`);
  const quantPath = join(out, `${prefix}resnet8-int8-${biasCorrection ? 'bc' : 'cal4'}.tflite`);
  await convertModel({ model: h5, output: floatPath, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
  await convertModel({
    model: h5,
    output: quantPath,
    quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, biasCorrection, calibration: { path: cal, preprocess: '0..255', samples: 4, method: 'minmax', seed: 0 } },
  });
  return { float: new Uint8Array(readFileSync(floatPath)), quant: new Uint8Array(readFileSync(quantPath)) };
}
