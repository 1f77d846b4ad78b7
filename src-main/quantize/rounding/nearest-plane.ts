// GPTQ's sequential rounding of one weight row, in the form that needs only the lower factor M
// of H = Mᵀ·M (Babai's nearest plane): weight i takes the value that cancels, along row i of M,
// the error of the weights rounded before it, then its grid point. The same choices as GPTQ's
// updates through the upper Cholesky factor of H⁻¹, without inverting anything.
import { dot } from './linear-algebra';

/**
 * Rounds `v` (length k, in rounding order) in place: v_i ← choose(i, v_i + Σ_{j<i} M_ij·e_j / M_ii)
 * with e_j = v_j − (its chosen value). `e` is scratch space of length k.
 */
export function roundSequentially(m: Float64Array, k: number, v: Float64Array, e: Float64Array, choose: (i: number, target: number) => number): void {
  for (let i = 0; i < k; i++) {
    const base = i * k;
    const s = dot(m, base, e, 0, i);
    const q = choose(i, v[i]! + s / m[base + i]!);
    e[i] = v[i]! - q;
    v[i] = q;
  }
}

/** Weight rows `roundRows` takes at once. */
export const ROWS_AT_ONCE = 8;

/**
 * `roundSequentially` for `count` (≤ ROWS_AT_ONCE) rows at once, row r of `v` and `e` (scratch,
 * ROWS_AT_ONCE·k long) at r·k; rows past `count` are left alone. Each row of M is read once for
 * all the weight rows (one row at a time streams all of M, several MB for K ≈ 1000, per weight
 * row). Rounding indices go in blocks of four: their sums over the indices before the block take
 * four rows of M against two weight rows at a time (six loads per eight multiply-adds, where four
 * rows against one row of M made five per four). Every sum runs over j in order, from 0 on, so
 * the blocking does not change a choice (`roundSequentially` sums in four parts instead).
 */
export function roundRows(m: Float64Array, k: number, v: Float64Array, e: Float64Array, count: number, choose: (row: number, i: number, target: number) => number, sums: Float64Array = new Float64Array(4 * ROWS_AT_ONCE)): void {
  e.fill(0, 0, count * k);
  const pairs = count >> 1;
  for (let i0 = 0; i0 < k; i0 += 4) {
    const n = Math.min(4, k - i0);
    const m0 = i0 * k;
    // Rows of M past k (the last block) read row i0 instead: their sums are never used.
    const m1 = n > 1 ? m0 + k : m0;
    const m2 = n > 2 ? m0 + 2 * k : m0;
    const m3 = n > 3 ? m0 + 3 * k : m0;
    for (let pair = 0; pair < pairs; pair++) {
      const e0 = 2 * pair * k;
      const e1 = e0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let j = 0; j < i0; j++) {
        const x0 = m[m0 + j]!;
        const x1 = m[m1 + j]!;
        const x2 = m[m2 + j]!;
        const x3 = m[m3 + j]!;
        const y0 = e[e0 + j]!;
        const y1 = e[e1 + j]!;
        s00 += x0 * y0; s01 += x0 * y1;
        s10 += x1 * y0; s11 += x1 * y1;
        s20 += x2 * y0; s21 += x2 * y1;
        s30 += x3 * y0; s31 += x3 * y1;
      }
      const r = 2 * pair;
      sums[r] = s00; sums[r + 1] = s01;
      sums[ROWS_AT_ONCE + r] = s10; sums[ROWS_AT_ONCE + r + 1] = s11;
      sums[2 * ROWS_AT_ONCE + r] = s20; sums[2 * ROWS_AT_ONCE + r + 1] = s21;
      sums[3 * ROWS_AT_ONCE + r] = s30; sums[3 * ROWS_AT_ONCE + r + 1] = s31;
    }
    if (count & 1) {
      const e0 = (count - 1) * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < i0; j++) {
        const y = e[e0 + j]!;
        s0 += m[m0 + j]! * y;
        s1 += m[m1 + j]! * y;
        s2 += m[m2 + j]! * y;
        s3 += m[m3 + j]! * y;
      }
      sums[count - 1] = s0;
      sums[ROWS_AT_ONCE + count - 1] = s1;
      sums[2 * ROWS_AT_ONCE + count - 1] = s2;
      sums[3 * ROWS_AT_ONCE + count - 1] = s3;
    }
    // Within the block, in order: each index's sum goes on over the block's indices before it.
    for (let a = 0; a < n; a++) {
      const i = i0 + a;
      const base = i * k;
      const pivot = m[base + i]!;
      for (let r = 0; r < count; r++) {
        const row = r * k;
        let s = sums[a * ROWS_AT_ONCE + r]!;
        for (let j = i0; j < i; j++) s += m[base + j]! * e[row + j]!;
        const at = row + i;
        const q = choose(r, i, v[at]! + s / pivot);
        e[at] = v[at]! - q;
        v[at] = q;
      }
    }
  }
}
