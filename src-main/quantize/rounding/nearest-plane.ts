// GPTQ's sequential rounding of one weight row, in the form that needs only the lower factor M
// of H = Mᵀ·M (Babai's nearest plane): weight i takes the value that cancels, along row i of M,
// the error of the weights rounded before it, then its grid point. The same choices as GPTQ's
// updates through the upper Cholesky factor of H⁻¹, without inverting anything.
import { dot, dot4 } from './linear-algebra';

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

/**
 * `roundSequentially` for `count` (≤ 4) rows at once: row r of `v` and `e` (scratch) at r·k.
 * Each row of M is read once for the four dots (`dot4`), where one row at a time streams all of
 * M (several MB for K ≈ 1000) per weight row. Rows past `count` are left alone.
 */
export function roundFourRows(m: Float64Array, k: number, v: Float64Array, e: Float64Array, count: number, choose: (row: number, i: number, target: number) => number): void {
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
