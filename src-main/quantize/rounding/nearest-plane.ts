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
