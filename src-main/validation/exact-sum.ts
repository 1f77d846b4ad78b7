// An exact sum of doubles: every finite double is a whole multiple of 2^-1074 (the smallest
// subnormal), so the sum is kept as that multiple in a BigInt and rounded once, to nearest, when
// read. Adding in any order, or merging partial sums made in other threads, gives the same bits:
// this is what lets error statistics split across compute workers equal one worker's exactly.
// Callers add one partial per sample (a plain double sum over its values), so the BigInt work is
// a few additions per sample, not per value.

const bits = new DataView(new ArrayBuffer(8));
const MANTISSA = (1n << 52n) - 1n;
const HIDDEN = 1n << 52n;

/** The transferable form of a sum (BigInt is structured-cloneable). */
export interface ExactSumState {
  units: bigint;
  /** The plain sum of any NaN / ±Infinity added (their sum does not depend on order either). */
  special?: number;
}

/** |x| as a multiple of 2^-1074. */
function unitsOf(x: number): bigint {
  bits.setFloat64(0, x);
  const raw = bits.getBigUint64(0);
  const exponent = Number((raw >> 52n) & 0x7ffn);
  const mantissa = exponent > 0 ? (raw & MANTISSA) | HIDDEN : raw & MANTISSA;
  return mantissa << BigInt(Math.max(exponent, 1) - 1);
}

/** 2^e as a double, for -1074 ≤ e ≤ 1023 (built from its bits: exact by construction). */
function powerOfTwo(e: number): number {
  if (e >= -1022) bits.setBigUint64(0, BigInt(e + 1023) << 52n);
  else bits.setBigUint64(0, 1n << BigInt(e + 1074));
  return bits.getFloat64(0);
}

/** m × 2^-1074 rounded to the nearest double (ties to even), m ≥ 0. */
function toDouble(m: bigint): number {
  const length = m.toString(2).length;
  if (length <= 53) return Number(m) * Number.MIN_VALUE; // exact: k·2^-1074 with k < 2^53 is a double
  const shift = length - 53;
  const q = m >> BigInt(shift);
  const rest = m - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const rounded = rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
  // rounded ≤ 2^53 is exact as a double, and the result is normal: the scaling is exact (or overflows).
  let value = Number(rounded);
  let e = shift - 1074;
  while (e > 1023) {
    value *= powerOfTwo(1023);
    e -= 1023;
  }
  return value * powerOfTwo(e);
}

export class ExactSum {
  #units = 0n;
  #special: number | undefined;

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.#special = (this.#special ?? 0) + x;
      return;
    }
    if (x === 0) return;
    const units = unitsOf(x);
    this.#units += x < 0 ? -units : units;
  }

  merge(state: ExactSumState): void {
    this.#units += state.units;
    if (state.special !== undefined) this.#special = (this.#special ?? 0) + state.special;
  }

  state(): ExactSumState {
    return { units: this.#units, ...(this.#special !== undefined ? { special: this.#special } : {}) };
  }

  /** The sum, rounded once. */
  get value(): number {
    if (this.#special !== undefined) return this.#special;
    if (this.#units === 0n) return 0;
    return this.#units < 0n ? -toDouble(-this.#units) : toDouble(this.#units);
  }
}
