// The blocked, in-place kernels of the per-layer GPTQ solve give, to the bit, the factors and the
// rounding choices of the kernels they replaced (test/quantize/solve-reference.ts), on random
// well-conditioned and nearly singular matrices (float32 sums of fewer samples than inputs, dead
// inputs, a bias column), with odd sizes and every count of rows per block.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUNDING_DAMPING, roundingFactor, SolveSpace } from '../../src-main/quantize/rounding/compensate';
import { choleskyLower, choleskyLowerInPlace, lowerRightFactor, NotPositiveDefiniteError } from '../../src-main/quantize/rounding/linear-algebra';
import { ROWS_AT_ONCE, roundRows } from '../../src-main/quantize/rounding/nearest-plane';
import { referenceCholeskyLower, referenceLowerRightFactor, referenceRoundFourRows, referenceRoundingFactor } from './solve-reference';
import { randomData } from './tiny-graphs';

/** H = Σ x·xᵀ over `samples` patches (last input a constant 1, `dead` inputs always 0), summed in float32 as the statistics are. */
function gram(k: number, samples: number, seed: number, dead: number[] = []): Float64Array {
  const x = randomData(samples * k, seed);
  const h = new Float32Array(k * k);
  for (let s = 0; s < samples; s++) {
    const row = x.subarray(s * k, (s + 1) * k);
    row[k - 1] = 1;
    for (const d of dead) row[d] = 0;
    // Correlated inputs, as neighbouring pixels or channels are.
    for (let i = 1; i < k - 1; i++) if (!dead.includes(i) && !dead.includes(i - 1)) row[i] = 0.8 * row[i - 1]! + 0.2 * row[i]!;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] = Math.fround(h[i * k + j]! + row[i]! * row[j]!);
  }
  return Float64Array.from(h);
}

/**
 * `gram` with input 1 a copy of input 0 and H made slightly indefinite along their difference (as
 * float32 sums of collinear inputs can be): the least loading does not make it positive definite.
 */
function indefiniteByLittle(k: number, seed: number): Float64Array {
  const h = gram(k, 2 * k, seed);
  for (let j = 0; j < k; j++) {
    h[1 * k + j] = h[j];
    h[j * k + 1] = h[j * k];
  }
  let mean = 0;
  for (let i = 0; i < k; i++) mean += h[i * k + i]! / k;
  const epsilon = 1e-5 * mean; // between the first loading (1e-6) and the second (1e-4)
  h[0] -= epsilon;
  h[k + 1] -= epsilon;
  h[1] += epsilon;
  h[k] += epsilon;
  return h;
}

const CASES: { name: string; k: number; h: Float64Array }[] = [
  ...[1, 2, 3, 4, 5, 7, 8, 9, 13, 24, 61, 66].map((k) => ({ name: `well-conditioned k=${k}`, k, h: gram(k, 3 * k + 4, k) })),
  { name: 'rank-deficient k=40 (25 samples)', k: 40, h: gram(40, 25, 7) },
  { name: 'rank-deficient k=97 (60 samples, dead inputs)', k: 97, h: gram(97, 60, 8, [3, 50, 51]) },
  { name: 'nearly singular k=145', k: 145, h: gram(145, 150, 9, [10]) },
  { name: 'slightly indefinite k=33', k: 33, h: indefiniteByLittle(33, 10) },
];

function lowerEqual(actual: Float64Array, expected: Float64Array, k: number, what: string): void {
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) if (!Object.is(actual[i * k + j], expected[i * k + j])) assert.fail(`${what}: [${i}][${j}] ${actual[i * k + j]} ≠ ${expected[i * k + j]}`);
}

test('the blocked in-place Cholesky gives the previous kernel’s L to the bit, and fails at the same pivot', () => {
  for (const { name, k, h } of CASES) {
    for (const loading of [1e-6, 1e-2]) {
      const a = Float64Array.from(h);
      for (let i = 0; i < k; i++) a[i * k + i] = (a[i * k + i] || 1) * (1 + loading);
      let expected: Float64Array | Error;
      try {
        expected = referenceCholeskyLower(a, k);
      } catch (error) {
        assert.ok(error instanceof NotPositiveDefiniteError);
        expected = error;
      }
      if (expected instanceof Error) {
        assert.throws(() => choleskyLower(a, k), { name: 'NotPositiveDefiniteError', message: expected.message }, name);
        continue;
      }
      lowerEqual(choleskyLower(a, k), expected, k, `${name}, loading ${loading}`);
      // In place, on a buffer whose upper triangle holds garbage (the solve reuses buffers).
      const inPlace = Float64Array.from(a, (value, at) => (at % k > Math.floor(at / k) ? Number.NaN : value));
      choleskyLowerInPlace(inPlace, k);
      lowerEqual(inPlace, expected, k, `${name} in place`);
      for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) assert.ok(Number.isNaN(inPlace[i * k + j]), 'upper triangle untouched');
      lowerEqual(lowerRightFactor(a, k), referenceLowerRightFactor(a, k), k, `${name} lower-right factor`);
    }
  }
  // Indefinite: the same error, at the same pivot.
  const k = 9;
  const indefinite = gram(k, 30, 1);
  indefinite[5 * k + 5] = -1;
  assert.throws(() => referenceCholeskyLower(indefinite, k), /pivot 5 /);
  assert.throws(() => choleskyLower(indefinite, k), { name: 'NotPositiveDefiniteError', message: /pivot 5 / });
});

test('the rounding factor from one fill pass (order, reversal, loading) is the previous P·H·Pᵀ → damped → reversed factor, retries included', () => {
  let retried = 0;
  const space = new SolveSpace(); // reused across sizes, as across a model's layers
  for (const { name, k, h } of [...CASES].reverse()) {
    // Act order: the largest diagonal first, the bias (last) stays last.
    const order = Int32Array.from({ length: k }, (_, i) => i);
    order.subarray(0, k - 1).set(Array.from({ length: k - 1 }, (_, i) => i).sort((a, b) => h[b * k + b]! - h[a * k + a]!));
    const expected = referenceRoundingFactor(h, k, order, ROUNDING_DAMPING);
    if (expected.loading !== ROUNDING_DAMPING[0]) retried++;
    lowerEqual(roundingFactor(h, k, order, space), expected.m, k, name);
  }
  // The cases include one the least loading does not make positive definite.
  assert.ok(retried > 0, 'a case needs a second loading');
  // A matrix no loading rescues fails as before.
  const k = 6;
  const bad = gram(k, 20, 2);
  bad[2 * k + 2] = -1e6;
  const order = Int32Array.from({ length: k }, (_, i) => i);
  assert.throws(() => referenceRoundingFactor(bad, k, order, ROUNDING_DAMPING), NotPositiveDefiniteError);
  assert.throws(() => roundingFactor(bad, k, order), NotPositiveDefiniteError);
});

test('a rank-deficient H (fewer patches than K) starts at the second loading: the factor the retry reached, without the failed first', () => {
  const space = new SolveSpace();
  let failedFirst = 0;
  for (const [k, patches, seed] of [[161, 40, 7], [97, 30, 8], [65, 64, 9]] as const) {
    const h = gram(k, patches, seed);
    const order = Int32Array.from({ length: k }, (_, i) => i);
    const fromSecond = referenceRoundingFactor(h, k, order, ROUNDING_DAMPING.slice(1));
    lowerEqual(roundingFactor(h, k, order, space, true), fromSecond.m, k, `K = ${k}, ${patches} patches`);
    const full = referenceRoundingFactor(h, k, order, ROUNDING_DAMPING);
    if (full.loading !== ROUNDING_DAMPING[0]) {
      // Where the least loading fails, skipping it changes nothing.
      failedFirst++;
      lowerEqual(roundingFactor(h, k, order, space, false), fromSecond.m, k, `K = ${k} without the flag`);
    }
  }
  assert.ok(failedFirst > 0, 'a case where the least loading fails, as on a classifier with one patch per sample');
});

test('nearest plane eight rows at a time makes the previous four-at-a-time kernel’s choices to the bit, for every count of rows in a block', () => {
  for (const { name, k, h } of CASES) {
    if (k < 5) continue;
    const order = Int32Array.from({ length: k }, (_, i) => i);
    const m = roundingFactor(h, k, order);
    const rows = 2 * ROWS_AT_ONCE + 5;
    const weights = Float64Array.from(randomData(rows * k, 1000 + k, 0.3));
    // An int8-like grid with a per-row scale, clamped, so choices saturate too.
    const scale = (row: number) => 0.3 / (40 + row);
    const choose = (first: number) => (b: number, _i: number, target: number) => {
      const s = scale(first + b);
      return Math.max(-127, Math.min(127, Math.round(target / s))) * s;
    };
    const expected = Float64Array.from(weights);
    for (let first = 0; first < rows; first += 4) {
      const count = Math.min(4, rows - first);
      const v = new Float64Array(4 * k);
      v.set(expected.subarray(first * k, (first + count) * k));
      referenceRoundFourRows(m, k, v, new Float64Array(4 * k), count, choose(first));
      expected.set(v.subarray(0, count * k), first * k);
    }
    // Blocks of 1…8 rows, the scratch space reused and dirty.
    const v = new Float64Array(ROWS_AT_ONCE * k).fill(Number.NaN);
    const e = new Float64Array(ROWS_AT_ONCE * k).fill(Number.NaN);
    for (let first = 0, count = 1; first < rows; first += count, count = (count % ROWS_AT_ONCE) + 1) {
      const n = Math.min(count, rows - first);
      v.set(weights.subarray(first * k, (first + n) * k));
      roundRows(m, k, v, e, n, choose(first));
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < k; i++) {
          if (!Object.is(v[b * k + i], expected[(first + b) * k + i])) assert.fail(`${name}: row ${first + b} (block of ${n}) index ${i}: ${v[b * k + i]} ≠ ${expected[(first + b) * k + i]}`);
        }
      }
    }
  }
});
