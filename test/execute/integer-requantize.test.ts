// The interpreter's requantization of int32 accumulators (graph/execute/integer.ts) against a
// BigInt model of the runtime's fixed-point arithmetic: the 64-bit product, its rounding to
// 2^−31, then the rounding right shift, for both rounding rules and the whole int32 range.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, type Rounding } from '../../src-main/graph/execute/integer';
import { randomData } from '../quantize/tiny-graphs';

function reference(acc: number, multiplier: number, shift: number, rounding: Rounding): number {
  const a = BigInt(acc) * (shift > 0 ? 1n << BigInt(shift) : 1n);
  const right = BigInt(shift > 0 ? 0 : -shift);
  const ab = a * BigInt(multiplier);
  let high: bigint;
  if (rounding === 'half-up') high = (ab + (1n << 30n)) >> 31n;
  else high = (ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n); // BigInt division truncates toward zero
  if (right === 0n) return Number(high);
  if (rounding === 'half-up') return Number((high + (1n << (right - 1n))) >> right);
  const mask = (1n << right) - 1n;
  const threshold = (mask >> 1n) + (high < 0n ? 1n : 0n);
  return Number((high >> right) + ((high & mask) > threshold ? 1n : 0n));
}

test('integer requantization: equals the 64-bit fixed-point model for both roundings, ties and extremes included', () => {
  const scales = [...Array.from(randomData(200, 5, 0.5), (v) => Math.abs(v) * 2 ** -Math.round(Math.abs(v) * 30)), 1, 0.5, 0.25, 1.5, 3.75, 2 ** -20, 0.0029851];
  const accs = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 12345, -12345, ...Array.from(randomData(300, 6, 2 ** 24), Math.round)];
  let checked = 0;
  for (const scale of scales) {
    const { multiplier, shift } = quantizeMultiplier(scale);
    assert.ok(multiplier === 0 || (multiplier >= 2 ** 30 && multiplier < 2 ** 31), `multiplier ${multiplier}`);
    assert.ok(Math.abs(multiplier * 2 ** (shift - 31) - scale) <= scale * 2 ** -30, `${scale} → ${multiplier}·2^${shift - 31}`);
    // Exact ties of the final rounding: acc·real = k + ½.
    const ties = shift < 0 && shift > -20 ? [1, -1, 3, -3].map((k) => (k * 2 ** (-shift - 1) * 2 ** 31) / multiplier).filter(Number.isInteger) : [];
    for (const acc of [...accs, ...ties]) {
      if (shift > 0 && Math.abs(acc) * 2 ** shift >= 2 ** 31) continue; // the runtime's accumulator would overflow
      for (const rounding of ['half-up', 'half-away'] as const) {
        assert.equal(multiplyByQuantizedMultiplier(acc, multiplier, shift, rounding), reference(acc, multiplier, shift, rounding), `acc ${acc}, multiplier ${multiplier}, shift ${shift}, ${rounding}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 50_000, `${checked} cases`);
  // The two rules differ on negative ties of the right shift only: −6·¼ = −1.5.
  const { multiplier, shift } = quantizeMultiplier(0.25);
  assert.deepEqual([multiplier, shift], [2 ** 30, -1]);
  assert.equal(multiplyByQuantizedMultiplier(-6, multiplier, shift, 'half-up'), -1);
  assert.equal(multiplyByQuantizedMultiplier(-6, multiplier, shift, 'half-away'), -2);
  assert.equal(multiplyByQuantizedMultiplier(6, multiplier, shift, 'half-up'), 2);
  assert.equal(multiplyByQuantizedMultiplier(6, multiplier, shift, 'half-away'), 2);
});
