// The per-layer solve of --weight-rounding gptq after the statistics (act order, loaded Cholesky
// factor, nearest plane of every weight row), previous kernels (test/quantize/solve-reference.ts)
// vs the current ones, alternated three times, CPU time. Layer shapes (K inputs with the bias,
// weight rows) are the nsfwjs MobileNetV2's non-depthwise layers; H is synthetic (correlated
// inputs with uneven energies, float32-rounded), the K = 1281 one slightly indefinite so its
// least loading fails and it is factored again, as the real one is. Also checks the two give
// the same choices. `npm run bench -- gptq-solve`.
import { ROUNDING_DAMPING, roundingFactor, SolveSpace } from '../src-main/quantize/rounding/compensate';
import { ROWS_AT_ONCE, roundRows } from '../src-main/quantize/rounding/nearest-plane';
import { referenceRoundFourRows, referenceRoundingFactor } from '../test/quantize/solve-reference';
import { randomData } from '../test/quantize/tiny-graphs';

/** [K, rows, how many layers]. */
const SHAPES: [number, number, number][] = [
  [17, 96, 1], [25, 144, 2], [28, 32, 1], [33, 16, 1], [33, 192, 3], [65, 384, 4], [97, 24, 1], [97, 576, 3], [129, 5, 1],
  [145, 24, 1], [145, 32, 1], [161, 960, 3], [193, 32, 2], [193, 64, 1], [257, 128, 1], [321, 1280, 1], [385, 64, 3],
  [385, 96, 1], [577, 160, 1], [577, 96, 2], [961, 160, 2], [961, 320, 1], [1281, 256, 1],
];

/** H[i][j] = a_i·a_j·0.97^|i−j| (+ bias column of ones), in float32; `indefinite` subtracts a little along e₀ − e₁. */
function syntheticH(k: number, seed: number, indefinite: boolean): Float64Array {
  const energy = randomData(k, seed, 1).map((x) => 0.05 + x * x * 4);
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] = Math.fround(energy[i]! * energy[j]! * 0.97 ** Math.abs(i - j) * (i === k - 1 || j === k - 1 ? 0.5 : 1));
  if (indefinite) {
    // Inputs 0 and 1 identical, then H pushed below zero along their difference by 1e-5 of its mean diagonal.
    for (let j = 0; j < k; j++) {
      h[k + j] = h[j]!;
      h[j * k + 1] = h[j * k]!;
    }
    let mean = 0;
    for (let i = 0; i < k; i++) mean += h[i * k + i]! / k;
    h[0] -= 1e-5 * mean;
    h[k + 1] -= 1e-5 * mean;
    h[1] += 1e-5 * mean;
    h[k] += 1e-5 * mean;
  }
  return h;
}

const layers = SHAPES.flatMap(([k, rows, count]) => Array.from({ length: count }, (_, n) => ({ k, rows, h: syntheticH(k, k + n, k === 1281), w: Float64Array.from(randomData(rows * k, 7 * k + n, 1 / Math.sqrt(k))) })));
const choose = (_row: number, _i: number, t: number) => Math.max(-127, Math.min(127, Math.round(t * 400))) / 400;
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
function actOrder(h: Float64Array, k: number): Int32Array {
  const order = Int32Array.from({ length: k }, (_, i) => i);
  order.subarray(0, k - 1).set(Array.from({ length: k - 1 }, (_, i) => i).sort((a, b) => h[b * k + b]! - h[a * k + a]!));
  return order;
}
function previous({ k, rows, h, w }: (typeof layers)[number]): Float64Array {
  const { m } = referenceRoundingFactor(h, k, actOrder(h, k), ROUNDING_DAMPING);
  const out = Float64Array.from(w);
  const v = new Float64Array(4 * k);
  const e = new Float64Array(4 * k);
  for (let first = 0; first < rows; first += 4) {
    const n = Math.min(4, rows - first);
    v.set(out.subarray(first * k, (first + n) * k));
    referenceRoundFourRows(m, k, v, e, n, choose);
    out.set(v.subarray(0, n * k), first * k);
  }
  return out;
}
const space = new SolveSpace();
function current({ k, rows, h, w }: (typeof layers)[number]): Float64Array {
  const m = roundingFactor(h, k, actOrder(h, k), space);
  const out = Float64Array.from(w);
  const v = new Float64Array(ROWS_AT_ONCE * k);
  const e = new Float64Array(ROWS_AT_ONCE * k);
  for (let first = 0; first < rows; first += ROWS_AT_ONCE) {
    const n = Math.min(ROWS_AT_ONCE, rows - first);
    v.set(out.subarray(first * k, (first + n) * k));
    roundRows(m, k, v, e, n, choose);
    out.set(v.subarray(0, n * k), first * k);
  }
  return out;
}

let differing = 0;
const totals = { previous: [] as number[], current: [] as number[] };
for (let round = 0; round < 3; round++) {
  let before = 0;
  let after = 0;
  const largest: string[] = [];
  for (const layer of layers) {
    let t = cpuMs();
    const a = previous(layer);
    const layerBefore = cpuMs() - t;
    t = cpuMs();
    const b = current(layer);
    const layerAfter = cpuMs() - t;
    before += layerBefore;
    after += layerAfter;
    if (layer.k > 900) largest.push(`K ${layer.k} × ${layer.rows} rows ${layerBefore.toFixed(0)} → ${layerAfter.toFixed(0)}`);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  }
  totals.previous.push(Math.round(before));
  totals.current.push(Math.round(after));
  console.log(`round ${round + 1}: ${layers.length} layers, previous kernels ${before.toFixed(0)} ms CPU, current ${after.toFixed(0)} ms CPU (${largest.join(', ')})`);
}
if (differing) throw new Error(`${differing} rounded weights differ between the previous and the current kernels`);
console.log(`BENCH ${JSON.stringify({ name: 'gptq-solve', layers: layers.length, previousCpuMs: totals.previous, currentCpuMs: totals.current, sameChoices: true })}`);
