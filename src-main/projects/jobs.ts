// Job runners for project work (run inside the job worker thread): a conversion recorded as a
// run (convert → evaluate float vs quantized → local latency) and a benchmark of a run's
// .tflite on a board or locally, appended to the run's device results.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CancelledError, InputError } from '../errors';
import type { JobContext } from '../jobs/kinds';
import type { ProjectBenchParams, ProjectConvertParams, RunProgress } from './api-contract';
import { recordConvertRun } from './record-run';
import type { EvaluationReport } from '../evaluate/evaluate';
import { judge } from '../evaluate/verdict';
import { readRun, recordDeviceResult } from './runs';
import type { LatencyStats, RunMetrics, RunRecord } from './types';

type Progress = (p: RunProgress) => void;

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { min: round(s[0]!), p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), max: round(s[s.length - 1]!) };
}

const tfliteName = (mode: string) => `model_${mode}.tflite`;

/** Samples run through the IR interpreter for the run's per-layer table (a few: it is slow). */
const LAYER_SAMPLES = 4;

/**
 * What to validate on: the user's data, else the share of the calibration data that calibration
 * held out. Never the calibration samples themselves (they flatter the quantized model).
 */
export function validationPlan(params: ProjectConvertParams): { data?: string; holdOut?: { fraction: number; seed: number }; note?: string } {
  if (params.evaluateData) return { data: params.evaluateData };
  const spec = params.request.quantize.calibration;
  if (spec?.holdOut) return { data: spec.path, holdOut: { fraction: spec.holdOut, seed: spec.seed } };
  if (spec) return { note: 'Not validated: no validation data was given and no share of the calibration data was held out (validating on the calibration samples would flatter the result).' };
  return {};
}

function evaluationMetrics(report: EvaluationReport): RunMetrics {
  const first = report.outputs[0];
  return {
    floatBytes: report.float.bytes,
    sizeRatio: report.sizeRatio,
    evalSamples: report.samples,
    sqnrDb: first && Number.isFinite(first.sqnrDb) ? first.sqnrDb : null,
    cosine: first?.cosine ?? null,
    agreement: first?.top1Agreement ?? null,
    accuracy: first?.labelled ? (first.quantAccuracy ?? null) : null,
    floatAccuracy: first?.labelled ? (first.floatAccuracy ?? null) : null,
    latencyMs: report.quant.latencyMs?.median ?? null,
    floatLatencyMs: report.float.latencyMs?.median ?? null,
  };
}

const runtimeWhere = (name: string) => (name === 'litert-js' ? 'LiteRT.js (WebAssembly, XNNPACK) on this computer' : 'tflite-node (TFLite C library, no XNNPACK) on this computer');

export async function runProjectConvert(params: ProjectConvertParams, progress: Progress, signal?: AbortSignal): Promise<RunRecord> {
  const { request } = params;
  const { run } = await recordConvertRun(
    params.project,
    request,
    async (req, ctx) => {
      progress({ stage: 'start', runId: ctx.id });
      const { convertModel } = await import('../convert/pipeline');
      // The .tflite goes straight into the run folder; the user's output path is not needed.
      const output = join(ctx.folder, tfliteName(req.quantize.mode));
      const { model: _model, passes: _passes, ...result } = await convertModel(
        { ...req, output },
        { onProgress: (p) => progress({ ...p, runId: ctx.id }), signal },
      );
      const plan = validationPlan(params);
      if (plan.note) ctx.warn(plan.note);
      if (plan.data && req.quantize.mode !== 'none') {
        progress({ stage: 'evaluate', fraction: 0, runId: ctx.id });
        const { evaluate } = await import('../evaluate/index');
        const report = await evaluate(
          {
            floatModel: req.model,
            quantModel: output,
            data: plan.data,
            ...(params.evaluateLabels ? { labels: params.evaluateLabels } : {}),
            ...(req.quantize.calibration?.preprocess ? { preprocess: req.quantize.calibration.preprocess } : {}),
            ...(req.inputShape ? { inputShape: req.inputShape } : {}),
            ...(plan.holdOut ? { holdOut: plan.holdOut } : {}),
            latencyRuns: params.benchRuns ?? 30,
            layerSamples: LAYER_SAMPLES,
          },
          { signal, onProgress: (done, total) => progress({ stage: 'evaluate', fraction: done / total, runId: ctx.id }) },
        );
        if (signal?.aborted) throw new CancelledError('Cancelled during evaluation.');
        const metrics = evaluationMetrics(report);
        ctx.setMetrics(metrics);
        ctx.setDetails({
          ...(report.layers ? { layerErrors: report.layers } : {}),
          validation: {
            data: plan.data,
            heldOut: !!plan.holdOut,
            samples: report.samples,
            labelled: report.outputs.some((o) => (o.labelled ?? 0) > 0),
            runtime: { name: report.runtime.name, version: report.runtime.version, where: runtimeWhere(report.runtime.name) },
          },
          verdict: judge({
            sqnrDb: metrics['sqnrDb'] ?? null,
            agreement: metrics['agreement'] ?? null,
            accuracy: metrics['accuracy'] ?? null,
            floatAccuracy: metrics['floatAccuracy'] ?? null,
            calibrationSamples: req.quantize.calibration?.samples ?? null,
            evalSamples: report.samples,
          }),
        });
        await ctx.writeReport('evaluation.json', report);
        for (const w of report.warnings) ctx.warn(w);
      }
      return { ...result, output };
    },
    { ...(params.label ? { label: params.label } : {}), config: { evaluateData: params.evaluateData ?? null, evaluateLabels: params.evaluateLabels ?? null } },
  );
  progress({ stage: 'done', fraction: 1, runId: run.id });
  return run;
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

export const projectJobRunners = {
  'project-convert': (params: ProjectConvertParams, ctx: JobContext<'project-convert'>) => runProjectConvert(params, ctx.progress, ctx.signal),
  'project-bench': (params: ProjectBenchParams, ctx: JobContext<'project-bench'>) => runProjectBench(params, ctx.progress, ctx.signal),
};
