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
 * Four dots at once: out[r] = Σ_{p<n} x[xAt + p]·y[at_r + p], one running sum each (four
 * independent chains overlap as `dot`'s four partial sums do). `x` is loaded once for the four:
 * 2.2 vs 1.5 GMAC/s for four `dot`s (K = 960, in cache). Sums in another order than `dot`.
 */
export function dot4(x: Float64Array, xAt: number, y: Float64Array, at0: number, at1: number, at2: number, at3: number, n: number, out: Float64Array): void {
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

/**
 * Lower Cholesky factor L of A (A = L·Lᵀ). Rows in blocks of four: their entries left of the
 * block take each earlier row's dots with the four at once (`dot4`).
 */
export function choleskyLower(a: Float64Array, k: number): Float64Array {
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
    // The 4×4 diagonal block, row by row.
    for (let b = i; b < i + 4; b++) choleskyRow(a, l, k, b, i);
  }
  for (; i < k; i++) choleskyRow(a, l, k, i, 0);
  return l;
}

/** Entries from column `from` to the diagonal of row i of L (those left of `from` already set). */
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
  const reversed = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) reversed[i * k + j] = a[(k - 1 - i) * k + (k - 1 - j)]!;
  const c = choleskyLower(reversed, k);
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) m[i * k + j] = c[(k - 1 - j) * k + (k - 1 - i)]!;
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
