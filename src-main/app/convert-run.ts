// Convert as a project run, the one use case behind `edgequant convert --project` and the
// Studio's project-convert job: the conversion recorded as a run (hashes, artifacts, timings),
// then the float vs quantized evaluation and local latency when there is data to evaluate on.
import { join } from 'node:path';
import type { ConvertOutcome } from '../convert/pipeline';
import { hashSet } from '../data/hashing';
import { DataReader } from '../data/reader';
import type { EvaluationReport } from '../evaluate/evaluate';
import type { Converter } from '../evaluate/float-model';
import { judge } from '../evaluate/verdict';
import { classificationRun } from '../evaluate/classification-run';
import { recordClassification, runClassNames } from './run-classification';
import type { ConvertRequest } from '../convert/types';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { DEFAULT_CALIBRATION_SEED } from '../quantize/calibration/index';
import { CancelledError, oneLine } from '../errors';
import type { ProjectConvertParams, RunProgress } from '../projects/api-contract';
import { recordConvertRun, type RunContext } from '../projects/record-run';
import type { IoTensor, OutputSqnr, RunMetrics, RunRecord } from '../projects/types';
import { detectionStep, type DetectionStep } from './detect-run';
import { detectorFixMeasurer } from '../detect/fixes/measure';

type Progress = (p: RunProgress) => void;

export interface ConvertRunOptions {
  progress?: Progress;
  signal?: AbortSignal;
  /** Where the .tflite is written (the CLI's -o); by default straight into the run folder. */
  output?: string;
  /** Reads the run's data files (hash, calibration, GPTQ stream, evaluation); one per run by default. */
  reader?: DataReader;
  /** The converter (tests inject one to count conversions: a run converts once). */
  convert?: Converter;
}

const tfliteName = (mode: string) => `model_${mode}.tflite`;

/** Share of the calibration data held out for validation when no validation data is given. */
export const DEFAULT_HOLD_OUT = 0.2;

/** Samples run through the IR interpreter for the run's per-layer table (a few: it is slow). */
const LAYER_SAMPLES = 4;

/**
 * The request as run: without validation data, a share of the calibration data is held out
 * (calibration never sees it) so that there is always something to validate on.
 */
export function withHeldOutShare(params: ProjectConvertParams): ConvertRequest {
  const { request } = params;
  const spec = request.quantize.calibration;
  if (params.evaluateData || !spec || spec.holdOut !== undefined || request.quantize.mode === 'none') return request;
  return { ...request, quantize: { ...request.quantize, calibration: { ...spec, holdOut: DEFAULT_HOLD_OUT } } };
}

/**
 * What to validate on: the user's data, else the share of the calibration data that calibration
 * held out. Never the calibration samples themselves (they flatter the quantized model).
 */
export function validationPlan(params: ProjectConvertParams): { data?: string; holdOut?: { fraction: number; seed: number } } {
  if (params.evaluateData) return { data: params.evaluateData };
  const spec = withHeldOutShare(params).quantize.calibration;
  if (spec?.holdOut) return { data: spec.path, holdOut: { fraction: spec.holdOut, seed: spec.seed ?? DEFAULT_CALIBRATION_SEED } };
  return {};
}

/** Runs the conversion as a run of `params.project`; returns the finished run and the conversion. */
export interface ConvertRunResult {
  run: RunRecord;
  outcome: ConvertOutcome;
  /** The float vs quantized evaluation, when the run had data to evaluate on. */
  evaluation?: EvaluationReport;
}

export async function convertAsProjectRun(params: ProjectConvertParams, options: ConvertRunOptions = {}): Promise<ConvertRunResult> {
  const progress = options.progress ?? (() => undefined);
  const { signal } = options;
  // One reader for the whole run: the calibration hash, calibration, the GPTQ stream and the
  // held-out evaluation share each sample's single read.
  const reader = options.reader ?? new DataReader();
  const convert = options.convert ?? (await import('../convert/pipeline')).convertModel;
  let outcome: ConvertOutcome | undefined;
  let evaluation: EvaluationReport | undefined;
  const request = withHeldOutShare(params);
  const { run } = await recordConvertRun(
    params.project,
    request,
    async (req, ctx) => {
      progress({ stage: 'start', runId: ctx.id });
      const output = options.output ?? join(ctx.folder, tfliteName(req.quantize.mode));
      outcome = await convert({ ...req, output }, { onProgress: (p) => progress({ ...p, runId: ctx.id }), reader, detectorFixes: detectorFixMeasurer, ...(signal ? { signal } : {}) });
      const detection = detectionStep(params, { inputs: outcome.inputs, outputs: outcome.outputs }, { inputs: outcome.inputs, outputs: floatOutputs(outcome.floatModel) });
      evaluation = await evaluateRun({ ...params, request }, { quantModel: output, floatGraph: outcome.floatModel, reader, convert, ...(detection ? { detection } : {}) }, ctx, progress, signal);
      const { model: _model, floatModel: _float, passes: _passes, ...result } = outcome;
      return result;
    },
    {
      ...(params.label ? { label: params.label } : {}),
      config: { evaluateData: params.evaluateData ?? null, evaluateLabels: params.evaluateLabels ?? null, ...(params.task ? { task: params.task } : {}), ...(params.detect ? { detect: params.detect } : {}) },
      hashCalibration: (path) => hashSet(path, reader),
    },
  );
  progress({ stage: 'done', fraction: 1, runId: run.id });
  return { run, outcome: outcome!, ...(evaluation ? { evaluation } : {}) };
}

/** The project-convert job: the run record crosses back to the UI. */
export async function runProjectConvert(params: ProjectConvertParams, progress: Progress, signal?: AbortSignal): Promise<RunRecord> {
  return (await convertAsProjectRun(params, { progress, ...(signal ? { signal } : {}) })).run;
}

interface EvaluateInputs {
  quantModel: string;
  /** The float graph this run's conversion built: evaluation does not convert the model again. */
  floatGraph: ModelGraph;
  reader: DataReader;
  convert: Converter;
  /** A detector run: the evaluation also decodes boxes, and the record keeps detection results. */
  detection?: DetectionStep;
}

/**
 * Evaluates the quantized file against the float graph and records the metrics, what they were
 * measured on and a verdict: on the given evaluation data, else on the share of the calibration
 * data calibration held out (never on the samples calibration used; with none to hold out, the run
 * says so and records no evaluation).
 */
async function evaluateRun(params: ProjectConvertParams, inputs: EvaluateInputs, ctx: RunContext, progress: Progress, signal?: AbortSignal): Promise<EvaluationReport | undefined> {
  const req = params.request;
  const calibration = req.quantize.calibration;
  const plan = validationPlan(params);
  if (!plan.data || req.quantize.mode === 'none') return undefined;
  progress({ stage: 'evaluate', fraction: 0, runId: ctx.id });
  const { evaluate: plain, NoHeldOutSamplesError } = await import('../evaluate/index');
  // A detector run's evaluation also decodes every sample's boxes (detect-run.ts).
  const evaluate = inputs.detection ? inputs.detection.evaluate.bind(inputs.detection) : plain;
  const classNames = await runClassNames(req.model, plan.data, (w) => ctx.warn(w));
  const classes = classificationRun();
  let report;
  try {
    report = await evaluate(
      {
        floatModel: req.model,
        quantModel: inputs.quantModel,
        data: plan.data,
        ...(req.companions ? { companions: req.companions } : {}),
        ...(req.unrollRnn ? { unrollRnn: true } : {}),
        ...(plan.holdOut ? { holdOut: plan.holdOut } : {}),
        ...(params.evaluateLabels ? { labels: params.evaluateLabels } : {}),
        ...(calibration?.preprocess ? { preprocess: calibration.preprocess } : {}),
        ...(req.inputShape ? { inputShape: req.inputShape } : {}),
        ...(classNames ? { classNames } : {}),
        latencyRuns: params.benchRuns ?? 30,
        layerSamples: LAYER_SAMPLES,
      },
      {
        floatGraph: inputs.floatGraph,
        reader: inputs.reader,
        convert: inputs.convert,
        ...(req.workers ? { workers: req.workers } : {}),
        ...(signal ? { signal } : {}),
        onProgress: (done, total) => progress({ stage: 'evaluate', fraction: done / total, runId: ctx.id }),
        onSample: (sample) => classes.onSample(sample),
      },
    );
  } catch (error) {
    if (!(error instanceof NoHeldOutSamplesError)) throw error;
    ctx.warn(`Not validated: ${oneLine(error)}`);
    return undefined;
  }
  if (signal?.aborted) throw new CancelledError('Cancelled during evaluation.');
  const outputs = outputSqnr(report);
  const lowest = worstOutput(outputs);
  const metrics = evaluationMetrics(report, lowest);
  ctx.setMetrics(metrics);
  ctx.setDetails({
    ...(report.layers ? { layerErrors: report.layers } : {}),
    validation: {
      data: plan.data,
      heldOut: !!plan.holdOut,
      samples: report.samples,
      labelled: report.outputs.some((o) => (o.labelled ?? 0) > 0),
      outputs,
      runtime: { name: report.runtime.name, version: report.runtime.version, where: runtimeWhere(report.runtime.name) },
    },
    verdict: judge({
      sqnrDb: metrics['sqnrDb'] ?? null,
      ...(lowest && outputs.length > 1 ? { sqnrOutput: lowest.label } : {}),
      agreement: metrics['agreement'] ?? null,
      accuracy: metrics['accuracy'] ?? null,
      floatAccuracy: metrics['floatAccuracy'] ?? null,
      calibrationSamples: calibration?.samples ?? null,
      evalSamples: report.samples,
    }),
  });
  if (inputs.detection) await inputs.detection.record(report, ctx);
  else await recordClassification(ctx, classes, report, classNames);
  await ctx.writeReport('evaluation.json', report);
  for (const w of report.warnings) ctx.warn(w);
  return report;
}

/**
 * Each output's SQNR against float, a detector output's groups (boxes, scores) in place of its
 * joined figure (joined, the box pixels fill the signal power and hide the scores). Null: identical.
 */
export function outputSqnr(report: EvaluationReport): OutputSqnr[] {
  return report.outputs.flatMap((o) => {
    const figures = o.parts?.length ? o.parts.map((p) => ({ name: p.name, label: p.name.startsWith(`${o.name}_`) ? p.name.slice(o.name.length + 1) : p.name, sqnrDb: p.sqnrDb })) : [{ name: o.name, label: o.name, sqnrDb: o.sqnrDb }];
    return figures.map((f) => ({ ...f, sqnrDb: Number.isFinite(f.sqnrDb) ? f.sqnrDb : null }));
  });
}

/** The lowest SQNR of the outputs (the one a user must look at), or undefined when all are identical to float. */
export function worstOutput(outputs: OutputSqnr[]): OutputSqnr | undefined {
  return outputs.reduce<OutputSqnr | undefined>((worst, o) => (o.sqnrDb !== null && (worst === undefined || o.sqnrDb < worst.sqnrDb!) ? o : worst), undefined);
}

/** `lowest`: the output or group with the lowest SQNR (the run's figure). */
function evaluationMetrics(report: EvaluationReport, lowest: OutputSqnr | undefined): RunMetrics {
  const first = report.outputs[0];
  return {
    floatBytes: report.float.bytes,
    sizeRatio: report.sizeRatio,
    evalSamples: report.samples,
    sqnrDb: lowest?.sqnrDb ?? null,
    cosine: first?.cosine ?? null,
    agreement: first?.top1Agreement ?? null,
    accuracy: first?.labelled ? (first.quantAccuracy ?? null) : null,
    floatAccuracy: first?.labelled ? (first.floatAccuracy ?? null) : null,
    latencyMs: report.quant.latencyMs?.median ?? null,
    floatLatencyMs: report.float.latencyMs?.median ?? null,
  };
}

/** The float model's outputs (names and shapes): what a detector's boxes are decoded from. */
function floatOutputs(model: ModelGraph): IoTensor[] {
  const graph = mainGraph(model);
  return graph.outputs.map((name) => ({ name, dtype: 'float32', shape: [...graph.tensors.get(name)!.shape] }));
}

const runtimeWhere = (name: string) => (name === 'litert-js' ? 'LiteRT.js (WebAssembly, XNNPACK) on this computer' : 'tflite-node (TFLite C library, no XNNPACK) on this computer');
