// The project-bench job: times a run's .tflite on a board or locally and appends the result to
// the run's device results.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CancelledError, InputError } from '../errors';
import type { ProjectBenchParams, RunProgress } from '../projects/api-contract';
import { readRun, recordDeviceResult } from '../projects/runs';
import type { LatencyStats, RunRecord } from '../projects/types';

type Progress = (p: RunProgress) => void;

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { min: round(s[0]!), p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), max: round(s[s.length - 1]!) };
}

/** Times the run's .tflite in this process's best TFLite runtime (LiteRT.js, else tflite-node). */
async function benchLocal(model: string, runs: number, warmup: number, progress: Progress, signal?: AbortSignal) {
  const { loadWithBestRuntime } = await import('../runtime/index');
  const started = performance.now();
  const { runtime, model: loaded } = await loadWithBestRuntime(new Uint8Array(readFileSync(model)));
  const initMs = performance.now() - started;
  try {
    const feed = loaded.inputs.map((t) => {
      const n = t.shape.reduce((a, b) => a * Math.max(1, b), 1);
      if (t.dtype === 'int8') return new Int8Array(n).map((_, i) => (i * 37) % 255 - 128);
      if (t.dtype === 'uint8') return new Uint8Array(n).map((_, i) => (i * 37) % 256);
      return new Float32Array(n).map((_, i) => ((i * 37) % 255) / 255);
    });
    for (let i = 0; i < warmup; i++) await loaded.run(feed);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (signal?.aborted) throw new CancelledError('Benchmark cancelled.');
      const t = performance.now();
      await loaded.run(feed);
      samples.push(Math.round((performance.now() - t) * 1000) / 1000);
      if (i % 10 === 0) progress({ stage: 'run', fraction: i / runs });
    }
    return { runtime: { name: runtime.name, version: runtime.version }, initMs: Math.round(initMs * 10) / 10, samples };
  } finally {
    loaded.dispose();
  }
}

export async function runProjectBench(params: ProjectBenchParams, progress: Progress, signal?: AbortSignal): Promise<RunRecord> {
  const run = readRun(params.project, params.runId);
  const artifact = run.artifacts.find((a) => a.kind === 'tflite');
  if (!artifact) throw new InputError(`Run ${run.id} has no .tflite artifact to benchmark; pick a succeeded conversion run.`);
  const model = join(params.project, 'runs', run.id, artifact.name);
  const warmup = params.warmup ?? 5;
  const ref = { dir: params.project, id: run.id };
  if (params.device === 'local') {
    progress({ stage: 'load', log: `Loading ${artifact.name} in the local runtime…` });
    const result = await benchLocal(model, params.runs, warmup, progress, signal);
    progress({ stage: 'done', fraction: 1, log: `local: p50 ${latencyStats(result.samples).p50} ms over ${params.runs} runs (${result.runtime.name})` });
    return recordDeviceResult(ref, { device: 'local', runtime: result.runtime, runs: params.runs, initMs: result.initMs, latencyMs: latencyStats(result.samples), samplesMs: result.samples });
  }
  const { DeviceService } = await import('../devices/index');
  const service = new DeviceService();
  progress({ stage: 'deploy', log: `Deploying ${artifact.name} to ${params.device}…` });
  const bench = await service.bench(params.device, model, {
    runs: params.runs,
    warmup,
    ...(signal ? { signal } : {}),
    onProgress: (event) => progress({ stage: event.stage, log: event.stage === 'upload' ? `upload ${JSON.stringify(event.transfer)}` : `${params.device}: ${event.stage}` }),
  });
  progress({ stage: 'done', fraction: 1, log: `${params.device}: p50 ${bench.latencyMs.p50} ms over ${bench.runs} runs (${bench.runtime.name})` });
  return recordDeviceResult(ref, {
    device: params.device,
    runtime: { name: bench.runtime.name, version: bench.runtime.version ?? 'unknown' },
    runs: bench.runs,
    initMs: bench.initMs,
    latencyMs: bench.latencyMs,
    samplesMs: bench.latenciesMs,
    ...(bench.peakRssMb !== null ? { peakRssMb: bench.peakRssMb } : {}),
  });
}
