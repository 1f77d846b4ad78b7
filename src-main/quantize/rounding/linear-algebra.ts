// Dense symmetric positive-definite helpers for error-compensated rounding (K up to ~1–2k).
// Row-major Float64Array K×K matrices; O(K³) and allocation-light.

export class NotPositiveDefiniteError extends Error {
  override name = 'NotPositiveDefiniteError';
}

/**
 * Σ_{p<n} x[xAt + p]·y[yAt + p] with four running sums: one sum is a chain of dependent adds
 * (~4 cycles each); four let them overlap (measured: a Cholesky of K = 961 in JavaScript 1.5× faster).
 */
export function dot(x: Float64Array, xAt: number, y: Float64Array, yAt: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < n; p += 4) {
    s0 += x[xAt + p]! * y[yAt + p]!;
    s1 += x[xAt + p + 1]! * y[yAt + p + 1]!;
    s2 += x[xAt + p + 2]! * y[yAt + p + 2]!;
    s3 += x[xAt + p + 3]! * y[yAt + p + 3]!;
  }
  for (; p < n; p++) s0 += x[xAt + p]! * y[yAt + p]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Lower Cholesky factor L of A (A = L·Lᵀ), in a new array (upper triangle zero). Reads only A's
 * lower triangle.
 */
export function choleskyLower(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) l.set(a.subarray(i * k, i * k + i + 1), i * k);
  choleskyLowerInPlace(l, k);
  return l;
}

/**
 * The lower triangle of `a` (A's) becomes A's lower Cholesky factor L; the upper triangle is
 * neither read nor written. Rows in blocks of four; their entries left of the block, four columns
 * at a time: two rows against four columns' rows (eight running sums in locals, six loads per
 * eight multiply-adds; one row against four made five per four, and sixteen sums spill registers:
 * measured 66 vs 84 ms for K = 961, 2026-12-04). Each sum runs over p in order, from 0 on, so L
 * does not depend on the blocking.
 */
export function choleskyLowerInPlace(a: Float64Array, k: number): void {
  const sums = new Float64Array(16);
  let i = 0;
  for (; i + 3 < k; i += 4) {
    const r0 = i * k;
    for (let j = 0; j < i; j += 4) {
      const q0 = j * k;
      const q1 = q0 + k;
      const q2 = q1 + k;
      const q3 = q2 + k;
      for (let half = 0; half < 4; half += 2) {
        const x0At = r0 + half * k;
        const x1At = x0At + k;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let p = 0; p < j; p++) {
          const x0 = a[x0At + p]!;
          const x1 = a[x1At + p]!;
          const y0 = a[q0 + p]!;
          const y1 = a[q1 + p]!;
          const y2 = a[q2 + p]!;
          const y3 = a[q3 + p]!;
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        const o = half * 4;
        sums[o] = s00; sums[o + 1] = s01; sums[o + 2] = s02; sums[o + 3] = s03;
        sums[o + 4] = s10; sums[o + 5] = s11; sums[o + 6] = s12; sums[o + 7] = s13;
      }
      // Columns j…j+3: each sum goes on over the column block's entries left of its column.
      for (let c = 0; c < 4; c++) {
        const rc = q0 + c * k;
        const pivot = a[rc + j + c]!;
        for (let r = 0; r < 4; r++) {
          const row = r0 + r * k;
          let s = sums[r * 4 + c]!;
          for (let p = j; p < j + c; p++) s += a[row + p]! * a[rc + p]!;
          a[row + j + c] = (a[row + j + c]! - s) / pivot;
        }
      }
    }
    // The 4×4 diagonal block, row by row.
    for (let b = i; b < i + 4; b++) choleskyRow(a, k, b, i);
  }
  for (; i < k; i++) choleskyRow(a, k, i, 0);
}

/** Entries from column `from` to the diagonal of row i of L, in place (those left of `from` already set). */
function choleskyRow(l: Float64Array, k: number, i: number, from: number): void {
  for (let j = from; j <= i; j++) {
    const s = l[i * k + j]! - dot(l, i * k, l, j * k, j);
    if (i === j) {
      if (!(s > 0)) throw new NotPositiveDefiniteError(`pivot ${i} is ${s}`);
      l[i * k + i] = Math.sqrt(s);
    } else {
      l[i * k + j] = s / l[j * k + j]!;
    }
  }
}

/** Solves A·x = b given A's lower Cholesky factor. */
export function choleskySolve(l: Float64Array, b: Float64Array, k: number): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * y[p]!;
    y[i] = s / l[i * k + i]!;
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/** L⁻¹ of a lower-triangular L (also lower). */
export function invertLower(l: Float64Array, k: number): Float64Array {
  const li = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    li[i * k + i] = 1 / l[i * k + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s -= l[i * k + p]! * li[p * k + j]!;
      li[i * k + j] = s / l[i * k + i]!;
    }
  }
  return li;
}

/** A⁻¹ from A's lower Cholesky factor: A⁻¹ = L⁻ᵀ·L⁻¹. */
export function inverseFromCholesky(l: Float64Array, k: number): Float64Array {
  const li = invertLower(l, k);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < k; p++) s += li[p * k + i]! * li[p * k + j]!;
      inv[i * k + j] = s;
      inv[j * k + i] = s;
    }
  }
  return inv;
}

/**
 * The upper-triangular U with A⁻¹ = Uᵀ·U (row-major), without forming A⁻¹: with J the index
 * reversal, J·A·J = M·Mᵀ gives A = N·Nᵀ for the upper N = J·M·J, so A⁻¹ = (N⁻¹)ᵀ·N⁻¹ and
 * U = N⁻¹ = J·M⁻¹·J. One Cholesky and one triangular inverse.
 */
export function inverseUpperCholesky(a: Float64Array, k: number): Float64Array {
  const reversed = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) reversed[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)]!;
  const mInverse = invertLower(choleskyLower(reversed, k), k);
  const u = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) u[i * k + j] = mInverse[(k - 1 - i) * k + (k - 1 - j)]!;
  return u;
}

/**
 * The lower-triangular M with A = Mᵀ·M (row-major), from one Cholesky of J·A·J (J the index
 * reversal): J·A·J = C·Cᵀ gives A = (J·C·J)·(J·Cᵀ·J), and M = J·Cᵀ·J is lower. GPTQ's rounding
 * needs only this factor (rounding in order 0…K−1 is Babai's nearest plane on M), not A⁻¹.
 */
export function lowerRightFactor(a: Float64Array, k: number): Float64Array {
  const c = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) c[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)]!;
  choleskyLowerInPlace(c, k);
  return reversedTranspose(c, k, new Float64Array(k * k));
}

/**
 * J·Cᵀ·J of the lower C into `m` (lower; its upper triangle is left as it was). In 32×32 tiles:
 * walking a column of C (or of M) takes a cache line per entry, ~100 ms for K = 1281.
 */
export function reversedTranspose(c: Float64Array, k: number, m: Float64Array): Float64Array {
  const tile = 32;
  for (let i0 = 0; i0 < k; i0 += tile) {
    const iEnd = Math.min(k, i0 + tile);
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      for (let i = i0; i < iEnd; i++) {
        const jEnd = Math.min(i + 1, j0 + tile);
        const row = i * k;
        const column = k - 1 - i;
        for (let j = j0; j < jEnd; j++) m[row + j] = c[(k - 1 - j) * k + column]!;
      }
    }
  }
  return m;
}

/** Copy of A with `relative`·mean(diag) added to the diagonal; zero diagonal entries (dead inputs) become 1 first. */
export function damped(a: Float64Array, k: number, relative: number): Float64Array {
  const out = Float64Array.from(a);
  let mean = 0;
  for (let i = 0; i < k; i++) mean += out[i * k + i]!;
  mean = mean / k || 1;
  for (let i = 0; i < k; i++) {
    if (out[i * k + i] === 0) out[i * k + i] = 1;
    out[i * k + i] += relative * mean;
  }
  return out;
}

