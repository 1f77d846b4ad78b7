// The desktop's answer for the same model and inputs, computed in a real local TFLite runtime
// (helper B's runtime layer), so a board's outputs can be checked against it.
import { readFileSync } from 'node:fs';
import type { LoadedTflite, RuntimeArray, RuntimeTensorInfo } from '../runtime/types';
import type { NpyArray } from '../data/npy';
import { integerCodes } from '../graph/integer-codes';
import { DeviceInputError } from './errors';

export interface LocalModel {
  loaded: LoadedTflite;
  runtime: { name: string; version: string | null };
}

export async function loadLocalModel(modelPath: string): Promise<LocalModel> {
  // Loaded on demand: the runtimes are heavy and only needed when comparing outputs.
  const { loadWithBestRuntime } = await import('../runtime/index');
  const best = await loadWithBestRuntime(new Uint8Array(readFileSync(modelPath)));
  return { loaded: best.model, runtime: { name: best.runtime.name, version: best.runtime.version } };
}

function typedFor(dtype: string, n: number): RuntimeArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    default: throw new DeviceInputError(`model input dtype ${dtype} cannot be fed from a .npy here.`);
  }
}

/**
 * Splits an .npy of shape [N, ...] (or exactly the model's shape) into N samples in the
 * model input's own dtype, quantizing float data with the input's scale and zero point.
 * Board and desktop then receive identical bytes.
 */
export function samplesForInput(array: NpyArray, input: RuntimeTensorInfo, source: string): RuntimeArray[] {
  const shape = input.shape;
  const item = shape[0] === 1 ? shape.slice(1) : shape;
  const itemSize = item.reduce((a, b) => a * b, 1);
  let count: number;
  if (array.shape.join(',') === shape.join(',')) count = 1;
  else if (array.shape.slice(1).join(',') === item.join(',')) count = array.shape[0]!;
  else throw new DeviceInputError(`${source} has shape [${array.shape.join(',')}]; input '${input.name}' needs [N,${item.join(',')}].`);
  const values = array.data;
  const samples: RuntimeArray[] = [];
  const isFloatData = array.dtype === 'float32' || array.dtype === 'float64';
  for (let s = 0; s < count; s++) {
    const out = typedFor(input.dtype, itemSize);
    for (let i = 0; i < itemSize; i++) {
      const raw = Number(values[s * itemSize + i]!);
      if (input.dtype === 'float32') out[i] = raw;
      else if (isFloatData && input.quant) {
        const [lo, hi] = integerCodes(input.dtype)!;
        out[i] = Math.min(hi, Math.max(lo, Math.round(raw / input.quant.scale) + input.quant.zeroPoint));
      } else if (isFloatData && !input.quant) {
        throw new DeviceInputError(`${source} holds floats but input '${input.name}' is ${input.dtype} without quantization; give ${input.dtype} data.`);
      } else out[i] = raw;
    }
    samples.push(out);
  }
  return samples;
}

/** Runs every sample (fresh state each) and returns each output's values over all samples, dequantized. */
export async function runLocally(model: LocalModel, samples: RuntimeArray[][]): Promise<Float64Array[]> {
  const perOutput: number[][] = model.loaded.outputs.map(() => []);
  for (const row of samples) {
    await model.loaded.reset();
    const outs = await model.loaded.run(row);
    outs.forEach((o, k) => {
      const q = model.loaded.outputs[k]!.quant;
      for (const v of o as Iterable<number | bigint>) perOutput[k]!.push(q ? (Number(v) - q.zeroPoint) * q.scale : Number(v));
    });
  }
  return perOutput.map((v) => Float64Array.from(v));
}
