// The per-layer GPTQ solve as it was before the blocked in-place kernels (2026-12-04), kept so
// the tests can check that the new kernels factor and round to the bit as it did: one row
// against four (`dot4`) in the Cholesky and four weight rows at a time in the nearest plane,
// with a fresh K×K array for every step (P·H·Pᵀ, the loading, the reversal, L, M).
import { damped, dot, NotPositiveDefiniteError } from '../../src-main/quantize/rounding/linear-algebra';

function dot4(x: Float64Array, xAt: number, y: Float64Array, at0: number, at1: number, at2: number, at3: number, n: number, out: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let p = 0; p < n; p++) {
    const xp = x[xAt + p]!;
    s0 += xp * y[at0 + p]!;
    s1 += xp * y[at1 + p]!;
    s2 += xp * y[at2 + p]!;
    s3 += xp * y[at3 + p]!;
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

function choleskyRow(a: Float64Array, l: Float64Array, k: number, i: number, from: number): void {
  for (let j = from; j <= i; j++) {
    const s = a[i * k + j]! - dot(l, i * k, l, j * k, j);
    if (i === j) {
      if (!(s > 0)) throw new NotPositiveDefiniteError(`pivot ${i} is ${s}`);
      l[i * k + i] = Math.sqrt(s);
    } else {
      l[i * k + j] = s / l[j * k + j]!;
    }
  }
}

export function referenceCholeskyLower(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  const sums = new Float64Array(4);
  let i = 0;
  for (; i + 3 < k; i += 4) {
    const r0 = i * k;
    for (let j = 0; j < i; j++) {
      const rj = j * k;
      dot4(l, rj, l, r0, r0 + k, r0 + 2 * k, r0 + 3 * k, j, sums);
      const pivot = l[rj + j]!;
      for (let r = 0; r < 4; r++) l[r0 + r * k + j] = (a[r0 + r * k + j]! - sums[r]!) / pivot;
    }
    for (let b = i; b < i + 4; b++) choleskyRow(a, l, k, b, i);
  }
  for (; i < k; i++) choleskyRow(a, l, k, i, 0);
  return l;
}

export function referenceLowerRightFactor(a: Float64Array, k: number): Float64Array {
  const reversed = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) reversed[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)]!;
  const c = referenceCholeskyLower(reversed, k);
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) m[i * k + j] = c[(k - 1 - j) * k + (k - 1 - i)]!;
  return m;
}

/** The rounding factor of P·H·Pᵀ (P the order), loaded as little as works: M and the loading used. */
export function referenceRoundingFactor(h: Float64Array, k: number, order: ArrayLike<number>, loadings: number[]): { m: Float64Array; loading: number } {
  const permuted = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) permuted[i * k + j] = h[order[i]! * k + order[j]!]!;
  let failure: NotPositiveDefiniteError | undefined;
  for (const loading of loadings) {
    try {
      return { m: referenceLowerRightFactor(damped(permuted, k, loading), k), loading };
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError)) throw error;
      failure = error;
    }
  }
  throw failure!;
}

export function referenceRoundFourRows(m: Float64Array, k: number, v: Float64Array, e: Float64Array, count: number, choose: (row: number, i: number, target: number) => number): void {
  const sums = new Float64Array(4);
  e.fill(0);
  for (let i = 0; i < k; i++) {
    const base = i * k;
    dot4(m, base, e, 0, k, 2 * k, 3 * k, i, sums);
    const pivot = m[base + i]!;
    for (let r = 0; r < count; r++) {
      const at = r * k + i;
      const q = choose(r, i, v[at]! + sums[r]! / pivot);
      e[at] = v[at]! - q;
      v[at] = q;
    }
  }
}
