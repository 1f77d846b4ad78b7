// Runs float, official and our quantized files in one real TFLite runtime on the same samples,
// and measures what the issue asks: top-1 agreement with float and SQNR of the dequantized output.
import type { LoadedTflite, RuntimeArray, RuntimeName } from '../../src-main/runtime/index';
import { getRuntime } from '../../src-main/runtime/index';
import { sqnrDb } from '../../src-main/validation/sqnr';

function toModelInput(model: LoadedTflite, x: Float32Array): RuntimeArray {
  const info = model.inputs[0]!;
  if (info.dtype === 'float32') return x;
  const q = info.quant!;
  const [lo, hi, Arr] = info.dtype === 'int8' ? [-128, 127, Int8Array] as const : info.dtype === 'uint8' ? [0, 255, Uint8Array] as const : [-32768, 32767, Int16Array] as const;
  const out = new Arr(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, Math.round(x[i]! / q.scale) + q.zeroPoint));
  return out;
}

function fromModelOutput(model: LoadedTflite, y: RuntimeArray): Float32Array {
  const info = model.outputs[0]!;
  if (info.dtype === 'float32') return y as Float32Array;
  const q = info.quant!;
  return Float32Array.from(y as ArrayLike<number>, (v) => q.scale * (Number(v) - q.zeroPoint));
}

export async function runAll(runtime: RuntimeName, bytes: Uint8Array, samples: Float32Array[], stateful = false): Promise<Float32Array[]> {
  const model = await getRuntime(runtime).load(bytes);
  try {
    const outs: Float32Array[] = [];
    for (const x of samples) {
      if (stateful) await model.reset();
      const [y] = await model.run([toModelInput(model, x)]);
      outs.push(Float32Array.from(fromModelOutput(model, y!)));
    }
    return outs;
  } finally {
    model.dispose();
  }
}

const argmax = (a: Float32Array): number => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);

export interface Agreement {
  top1: number;
  sqnrDb: number;
}

/** Top-1 agreement (percent) and SQNR (dB, over all samples concatenated) against reference outputs. */
export function agreement(reference: Float32Array[], outputs: Float32Array[]): Agreement {
  let same = 0;
  reference.forEach((r, i) => (same += argmax(r) === argmax(outputs[i]!) ? 1 : 0));
  const cat = (list: Float32Array[]): Float32Array => {
    const out = new Float32Array(list.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of list) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  return { top1: (100 * same) / reference.length, sqnrDb: sqnrDb(cat(reference), cat(outputs)) };
}
