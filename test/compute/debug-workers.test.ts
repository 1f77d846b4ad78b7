// The quantization debugger split across compute workers: the report on 2 workers equals the
// one-thread report exactly (every figure, the ranking, the reasons), because every statistic is
// an exact per-sample sum, a max, a count or a set of levels; cancelling stops the workers; a
// worker that crashes fails the run with its cause. On the demo MNIST model (cheap).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import { ComputeWorkerError } from '../../src-main/compute/pool';
import { convertModel } from '../../src-main/convert/pipeline';
import { analyzeLayers } from '../../src-main/debug/analyze';
import { debugQuantization, type DebugReport } from '../../src-main/debug/index';
import { readNpy } from '../../src-main/data/npy';
import { CancelledError } from '../../src-main/errors';
import { readTflite } from '../../src-main/tflite/reader';
import { TensorErrorAccumulator } from '../../src-main/validation/tensor-error';
import { demoData, ensureBuilt } from '../helpers/build';

const DEMO = demoData;
const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'compute', 'debug-workers');
const model = join(DEMO, 'model', 'model.json');
const data = join(DEMO, 'eval', 'x.npy');
const quantPath = join(OUT, 'demo-int8.tflite');
const floatPath = join(OUT, 'demo-float.tflite');
const plain = { inputType: 'float32', outputType: 'float32', int8Only: false } as const;

before(async () => {
  await ensureBuilt(); // the demo's digits are written by the build
  mkdirSync(OUT, { recursive: true });
  const calibration = { path: join(DEMO, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax' as const, seed: 0 };
  await convertModel({ model, output: quantPath, workers: 1, quantize: { mode: 'int8', ...plain, calibration } });
  await convertModel({ model, output: floatPath, workers: 1, quantize: { mode: 'none', ...plain } });
});

/** The report without what depends on the run, not on the data: wall times and the worker count. */
function figures(report: DebugReport): Omit<DebugReport, 'timings' | 'workers'> {
  const { timings: _timings, workers: _workers, ...rest } = report;
  return rest;
}

test('error accumulators filled in parts and merged in any order give the figures of one accumulator bit for bit, within 1e-12 of plain running sums', () => {
  let seed = 11;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const grid = { scale: 0.05, zeroPoint: -3, qmin: -128, qmax: 127 };
  const samples = Array.from({ length: 20 }, (_, s) => {
    const reference = Float32Array.from({ length: 500 }, () => (random() - 0.4) * 10 ** (s % 4 - 1) * 8);
    return { reference, test: reference.map((v) => v + (random() - 0.5) * 0.05) };
  });
  const whole = new TensorErrorAccumulator(grid);
  const parts = [0, 1, 2].map(() => new TensorErrorAccumulator(grid));
  samples.forEach(({ reference, test }, s) => {
    whole.add(reference, test);
    parts[s % 3]!.add(reference, test);
  });
  for (const order of [[0, 1, 2], [2, 0, 1]]) {
    const merged = new TensorErrorAccumulator(grid);
    for (const k of order) merged.merge(parts[k]!.state());
    assert.deepEqual(merged.result(), whole.result(), `merged in order ${order.join(',')}`);
  }
  const figures = whole.result();
  assert.ok(figures.saturation! > 0 && figures.levelsUsed! > 0.5, JSON.stringify(figures));
  // The figures before exact sums: one running double sum over every value.
  let signal = 0;
  let noise = 0;
  let cosine = 0;
  for (const { reference, test } of samples) {
    let dot = 0;
    let nt = 0;
    let nr = 0;
    for (let i = 0; i < reference.length; i++) {
      signal += reference[i]! ** 2;
      noise += (reference[i]! - test[i]!) ** 2;
      dot += reference[i]! * test[i]!;
      nr += reference[i]! ** 2;
      nt += test[i]! ** 2;
    }
    cosine += dot / Math.sqrt(nr * nt);
  }
  assert.ok(Math.abs(whole.signal / signal - 1) < 1e-12 && Math.abs(whole.noise / noise - 1) < 1e-12, `signal ${whole.signal} vs ${signal}, noise ${whole.noise} vs ${noise}`);
  assert.ok(Math.abs(figures.cosine - cosine / samples.length) < 1e-12);
});

test('debug on 2 compute workers: the report equals the one-thread report exactly (figures, ranking, reasons)', async (t) => {
  const request = { model, quantized: quantPath, data, samples: 12, sensitivitySamples: 3 };
  const runs: DebugReport[] = [];
  for (const workers of [1, 2]) {
    const fractions: number[] = [];
    const report = await debugQuantization(request, { workers, onProgress: (stage, f) => stage === 'measuring layers' && f !== undefined && fractions.push(f) });
    assert.equal(report.workers, workers);
    assert.equal(fractions.length, 12, `${workers} worker(s): one progress step per sample`);
    assert.equal(fractions.at(-1), 1);
    runs.push(report);
  }
  const [one, two] = runs as [DebugReport, DebugReport];
  assert.ok(one.layers.length >= 4 && one.layers.every((r) => r.isolated && r.accumulated && r.sensitivity), 'every layer measured');
  // Not trivially equal: quantization loses something in every layer.
  assert.ok(one.layers.every((r) => r.isolated!.sqnrDb < 60 && r.sensitivity!.aloneQuantizedDb < 100), JSON.stringify(one.layers.map((r) => r.isolated!.sqnrDb)));
  assert.deepEqual(figures(two), figures(one));
  t.diagnostic(`1 worker ${one.timings['measureMs']} ms, 2 workers ${two.timings['measureMs']} ms; ranking ${one.ranking.join(' > ')}`);
});

async function pair() {
  const floatBytes = new Uint8Array(readFileSync(floatPath));
  const quantBytes = new Uint8Array(readFileSync(quantPath));
  const x = await readNpy(data);
  const size = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const samples = Array.from({ length: 40 }, (_, i) => [(x.data as Float32Array).slice(i * size, (i + 1) * size)]);
  return { floatBytes, quantBytes, float: readTflite(floatBytes), quant: readTflite(quantBytes), samples };
}

async function* asSamples(list: Float32Array[][]): AsyncIterable<{ inputs: Float32Array[] }> {
  for (const inputs of list) yield { inputs };
}

/** OS threads of this process (Linux): each compute worker is one more while it runs. */
const threads = (): number => (existsSync('/proc/self/task') ? readdirSync('/proc/self/task').length : 0);

test('cancelling the debugger on 2 workers stops it with CancelledError and ends the worker threads, measuring no more samples', async () => {
  const p = await pair();
  const controller = new AbortController();
  const idle = threads();
  let running = 0;
  let after = 0;
  await assert.rejects(
    analyzeLayers(p.float, p.quant, asSamples(p.samples), {
      sensitivitySamples: 40,
      signal: controller.signal,
      compute: { workers: 2, floatBytes: p.floatBytes, quantBytes: p.quantBytes },
      onProgress: (_stage, done) => {
        if (controller.signal.aborted) after++;
        running = Math.max(running, threads());
        if (done === 3) controller.abort();
      },
    }),
    CancelledError,
  );
  assert.ok(after === 0, `${after} samples reported done after the cancel`);
  // The run rejects only once its workers have terminated.
  assert.ok(threads() <= idle && running >= idle + 2, `threads: ${idle} before, ${running} while measuring, ${threads()} after the cancel`);
});

test('a compute worker that crashes mid-run fails the debugger with its cause', async () => {
  const p = await pair();
  const entry = { file: fileURLToPath(new URL('./crash-debug-worker.ts', import.meta.url)), fromSource: true };
  await assert.rejects(
    analyzeLayers(p.float, p.quant, asSamples(p.samples), { compute: { workers: 2, floatBytes: p.floatBytes, quantBytes: p.quantBytes, entry } }),
    (error: Error) => error instanceof ComputeWorkerError && /Compute worker \d crashed: simulated crash in the debugger worker/.test(error.message),
  );
});
