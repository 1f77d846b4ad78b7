// Convert as a project run, the one use case behind `edgequant convert --project` and the
// Studio's project-convert job: the conversion recorded as a run (hashes, artifacts, timings),
// then the float vs quantized evaluation and local latency when there is data to evaluate on.
import { join } from 'node:path';
import type { ConvertOutcome } from '../convert/pipeline';
import { CancelledError } from '../errors';
import type { ProjectConvertParams, RunProgress } from '../projects/api-contract';
import { recordConvertRun, type RunContext } from '../projects/record-run';
import type { RunMetrics, RunRecord } from '../projects/types';

type Progress = (p: RunProgress) => void;

export interface ConvertRunOptions {
  progress?: Progress;
  signal?: AbortSignal;
  /** Where the .tflite is written (the CLI's -o); by default straight into the run folder. */
  output?: string;
}

const tfliteName = (mode: string) => `model_${mode}.tflite`;

/** Runs the conversion as a run of `params.project`; returns the finished run and the conversion. */
export async function convertAsProjectRun(params: ProjectConvertParams, options: ConvertRunOptions = {}): Promise<{ run: RunRecord; outcome: ConvertOutcome }> {
  const progress = options.progress ?? (() => undefined);
  const { signal } = options;
  let outcome: ConvertOutcome | undefined;
  const { run } = await recordConvertRun(
    params.project,
    params.request,
    async (req, ctx) => {
      progress({ stage: 'start', runId: ctx.id });
      const { convertModel } = await import('../convert/pipeline');
      const output = options.output ?? join(ctx.folder, tfliteName(req.quantize.mode));
      outcome = await convertModel({ ...req, output }, { onProgress: (p) => progress({ ...p, runId: ctx.id }), ...(signal ? { signal } : {}) });
      await evaluateRun(params, output, ctx, progress, signal);
      const { model: _model, passes: _passes, ...result } = outcome;
      return result;
    },
    { ...(params.label ? { label: params.label } : {}), config: { evaluateData: params.evaluateData ?? null, evaluateLabels: params.evaluateLabels ?? null } },
  );
  progress({ stage: 'done', fraction: 1, runId: run.id });
  return { run, outcome: outcome! };
}

/** The project-convert job: the run record crosses back to the UI. */
export async function runProjectConvert(params: ProjectConvertParams, progress: Progress, signal?: AbortSignal): Promise<RunRecord> {
  return (await convertAsProjectRun(params, { progress, ...(signal ? { signal } : {}) })).run;
}

/** Evaluates the quantized file against the float model on the run's data and records the metrics. */
async function evaluateRun(params: ProjectConvertParams, quantModel: string, ctx: RunContext, progress: Progress, signal?: AbortSignal): Promise<void> {
  const req = params.request;
  const evalData = params.evaluateData ?? req.quantize.calibration?.path;
  if (!evalData || req.quantize.mode === 'none') return;
  progress({ stage: 'evaluate', fraction: 0, runId: ctx.id });
  const { evaluate } = await import('../evaluate/index');
  const report = await evaluate(
    {
      floatModel: req.model,
      quantModel,
      data: evalData,
      ...(params.evaluateLabels ? { labels: params.evaluateLabels } : {}),
      ...(req.quantize.calibration?.preprocess ? { preprocess: req.quantize.calibration.preprocess } : {}),
      ...(req.inputShape ? { inputShape: req.inputShape } : {}),
      latencyRuns: params.benchRuns ?? 30,
    },
    { signal, onProgress: (done, total) => progress({ stage: 'evaluate', fraction: done / total, runId: ctx.id }) },
  );
  if (signal?.aborted) throw new CancelledError('Cancelled during evaluation.');
  const first = report.outputs[0];
  const metrics: RunMetrics = {
    floatBytes: report.float.bytes,
    sizeRatio: report.sizeRatio,
    evalSamples: report.samples,
    sqnrDb: first && Number.isFinite(first.sqnrDb) ? first.sqnrDb : null,
    cosine: first?.cosine ?? null,
    agreement: first?.top1Agreement ?? null,
    accuracy: first?.quantAccuracy ?? null,
    floatAccuracy: first?.floatAccuracy ?? null,
    latencyMs: report.quant.latencyMs?.median ?? null,
    floatLatencyMs: report.float.latencyMs?.median ?? null,
  };
  ctx.setMetrics(metrics);
  await ctx.writeReport('evaluation.json', report);
  for (const w of report.warnings) ctx.warn(w);
}
