// Small hand-built IR graphs and plain-JS reference kernels for interpreter tests.
import type { Graph, Node, Tensor } from '../../src-main/graph/model-graph';

export function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function graphOf(tensors: Tensor[], nodes: Node[], inputs: string[], outputs: string[]): Graph {
  return { name: 'test', tensors: new Map(tensors.map((t) => [t.name, t])), nodes, inputs, outputs };
}

export function f32(name: string, shape: number[], data?: Float32Array): Tensor {
  return data ? { name, dtype: 'float32', shape, data } : { name, dtype: 'float32', shape };
}

export function i32(name: string, values: number[]): Tensor {
  return { name, dtype: 'int32', shape: [values.length], data: Int32Array.from(values) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** NHWC conv with TFLite OHWI weights, SAME/VALID padding as TF computes it, dilation. */
export function refConv(x: Float32Array, [n, h, w, c]: number[], wt: Float32Array, [o, kh, kw]: number[], bias: Float32Array, stride: number, dil: number, same: boolean): { y: Float32Array; shape: number[] } {
  const ekh = (kh! - 1) * dil + 1;
  const ekw = (kw! - 1) * dil + 1;
  const oh = same ? Math.ceil(h! / stride) : Math.floor((h! - ekh) / stride) + 1;
  const ow = same ? Math.ceil(w! / stride) : Math.floor((w! - ekw) / stride) + 1;
  const padT = same ? Math.floor(Math.max((oh - 1) * stride + ekh - h!, 0) / 2) : 0;
  const padL = same ? Math.floor(Math.max((ow - 1) * stride + ekw - w!, 0) / 2) : 0;
  const y = new Float32Array(n! * oh * ow * o!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let oc = 0; oc < o!; oc++) {
          let acc = bias[oc]!;
          for (let u = 0; u < kh!; u++)
            for (let v = 0; v < kw!; v++) {
              const yy = i * stride + u * dil - padT;
              const xx = j * stride + v * dil - padL;
              if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
              for (let ic = 0; ic < c!; ic++) acc += x[((b * h! + yy) * w! + xx) * c! + ic]! * wt[((oc * kh! + u) * kw! + v) * c! + ic]!;
            }
          y[((b * oh + i) * ow + j) * o! + oc] = acc;
        }
  return { y, shape: [n!, oh, ow, o!] };
}

/** Depthwise with TFLite [1, kh, kw, C*M] weights; output channel c*M+m. */
export function refDepthwise(x: Float32Array, [n, h, w, c]: number[], wt: Float32Array, kh: number, kw: number, mult: number, bias: Float32Array): Float32Array {
  const oc = c! * mult;
  const y = new Float32Array(n! * h! * w! * oc);
  const pt = Math.floor((kh - 1) / 2);
  const pl = Math.floor((kw - 1) / 2);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h!; i++)
      for (let j = 0; j < w!; j++)
        for (let ch = 0; ch < c!; ch++)
          for (let m = 0; m < mult; m++) {
            const k = ch * mult + m;
            let acc = bias[k]!;
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const yy = i + u - pt;
                const xx = j + v - pl;
                if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
                acc += x[((b * h! + yy) * w! + xx) * c! + ch]! * wt[(u * kw + v) * oc + k]!;
              }
            y[((b * h! + i) * w! + j) * oc + k] = acc;
          }
  return y;
}
