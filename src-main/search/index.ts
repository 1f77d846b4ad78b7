// `searchQuantization`: the accuracy-budget search. Candidates (fp16, dynamic, int8 nearest and
// gptq, int16x8, then int8 keeping the debugger's most harmful layers float, k growing until the
// budget holds) are converted, measured on held-out data in a real TFLite runtime, timed locally
// or on a board, and reduced to their Pareto set; the smallest (then fastest) candidate that meets
// the budget is copied to the output.
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { convertModel } from '../convert/pipeline';
import { debugQuantization, harmfulLayers } from '../debug/index';
import { CancelledError, InputError } from '../errors';
import { evaluate } from '../evaluate/evaluate';
import { judge, parseBudget, formatClauseFigure, type Budget } from './budget';
import { baseCandidates, CANDIDATE_KINDS, mixedCandidate, type CandidateSpec } from './candidates';
import { paretoSet } from './pareto';
import { recordCandidate } from './record';
import type { CandidateResult, MeasuredCandidate, SearchProgress, SearchRequest, SearchResult } from './types';

export type { CandidateResult, MeasuredCandidate, SearchProgress, SearchRequest, SearchResult } from './types';
export { formatSearch } from './format';

export interface SearchDeps {
  /** Latency of a .tflite on the chosen board; absent: measured locally by the evaluation. */
  benchmark?: (path: string) => Promise<{ latencyMs: number; where: string }>;
}

export interface SearchOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
  /** Each candidate once measured (and recorded), so a caller can show it while the search goes on. */
  onCandidate?: (candidate: MeasuredCandidate) => void;
  deps?: SearchDeps;
}

interface Context {
  request: SearchRequest;
  budget: Budget;
  floatPath: string;
  floatBytes: number;
  dir: string;
  options: SearchOptions;
}

/** The model as the request names it: every conversion and the debugger read the same source. */
function modelSource(request: SearchRequest) {
  return {
    model: request.model,
    ...(request.companions ? { companions: request.companions } : {}),
    ...(request.inputShape ? { inputShape: request.inputShape } : {}),
    ...(request.unrollRnn ? { unrollRnn: true } : {}),
  };
}

async function measure(ctx: Context, spec: CandidateSpec): Promise<CandidateResult> {
  const started = performance.now();
  const { request, options } = ctx;
  const path = join(ctx.dir, `${spec.id}.tflite`);
  const signal = options.signal ? { signal: options.signal } : {};
  await convertModel(
    { ...modelSource(request), output: path, quantize: spec.quantize, ...(request.detectorFix ? { detectorFix: request.detectorFix } : {}) },
    signal,
  );
  const local = !options.deps?.benchmark;
  const report = await evaluate(
    {
      floatModel: ctx.floatPath,
      quantModel: path,
      data: request.data,
      ...(request.preprocess !== undefined ? { preprocess: request.preprocess } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
      ...(request.samples ? { samples: request.samples } : {}),
      ...(request.dataHoldOut ? { holdOut: request.dataHoldOut } : {}),
      ...(request.inputShape ? { inputShape: request.inputShape } : {}),
      latencyRuns: local ? 20 : 0,
    },
    signal,
  );
  const timed = options.deps?.benchmark ? await options.deps.benchmark(path) : { latencyMs: report.quant.latencyMs?.median ?? NaN, where: `this computer (${report.runtime.name})` };
  // A split detector file's groups are outputs of the file too: the budget judges each.
  const outputs = report.outputs.flatMap((o) => [o, ...(o.parts ?? [])]).map((o) => ({
    name: o.name,
    sqnrDb: o.sqnrDb,
    ...(o.top1Agreement !== undefined ? { top1Agreement: o.top1Agreement } : {}),
    ...(o.floatAccuracy !== undefined ? { floatAccuracy: o.floatAccuracy } : {}),
    ...(o.quantAccuracy !== undefined ? { quantAccuracy: o.quantAccuracy } : {}),
  }));
  const { met, verdicts } = judge(ctx.budget, outputs);
  const first = verdicts[0]!;
  return {
    id: spec.id,
    kind: spec.kind,
    label: spec.label,
    bytes: report.quant.bytes,
    sizeRatio: report.quant.bytes / ctx.floatBytes,
    latencyMs: timed.latencyMs,
    latencyWhere: timed.where,
    outputs,
    verdicts,
    meetsBudget: met,
    // Higher is better for the Pareto set: a drop bound counts as its negative.
    quality: first.clause.op === '>=' ? first.measured : -first.measured,
    ...(spec.quantize.keepFloat ? { keepFloat: spec.quantize.keepFloat } : {}),
    path,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** Layers of the int8 model, most harmful first, ranked by the debugger on the calibration data. */
async function rankLayers(ctx: Context): Promise<string[]> {
  const { request } = ctx;
  const report = await debugQuantization(
    {
      ...modelSource(request),
      quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: request.calibration },
      data: request.calibration.path,
      onCalibrationData: true,
      ...(request.calibration.preprocess !== undefined ? { preprocess: request.calibration.preprocess } : {}),
      // Enough to rank; the verdict is the candidates' own measurement on held-out data.
      samples: 8,
      sensitivitySamples: 2,
      // Ranked on the model the candidates are: a split one's groups weigh apart, and its layers are theirs.
      ...(request.detectorFix ? { detectorFix: request.detectorFix } : {}),
    },
    ctx.options.signal ? { signal: ctx.options.signal } : {},
  );
  return harmfulLayers(report);
}

function pickRecommended(candidates: CandidateResult[]): CandidateResult | undefined {
  return candidates.filter((c) => c.meetsBudget).sort((a, b) => a.bytes - b.bytes || a.latencyMs - b.latencyMs)[0];
}

function verdictText(candidates: CandidateResult[], recommended: CandidateResult | undefined, layers: number, budget: Budget): string {
  const pct = (c: CandidateResult) => `${Math.round(c.sizeRatio * 100)}% of float`;
  const figures = (c: CandidateResult) => c.verdicts.map(formatClauseFigure).join(', ');
  const mixed = candidates.filter((c) => c.kind === 'int8-mixed').sort((a, b) => (a.keepFloat?.length ?? 0) - (b.keepFloat?.length ?? 0));
  const int8Meeting = candidates.find((c) => (c.kind === 'int8' || c.kind === 'int8-gptq') && c.meetsBudget);
  const firstMixed = mixed.find((c) => c.meetsBudget);
  let int8Part: string;
  if (int8Meeting) int8Part = `${int8Meeting.label} meets ${budget.text} (${figures(int8Meeting)}).`;
  else if (firstMixed) int8Part = `int8 needs ${firstMixed.keepFloat!.length} of ${layers} layers in float to meet ${budget.text} (${figures(firstMixed)}).`;
  else if (mixed.length) {
    const most = mixed.at(-1)!;
    int8Part = `no int8 variant meets ${budget.text}: with ${most.keepFloat!.length} of ${layers} layers float it reaches ${figures(most)}.`;
  } else int8Part = `no int8 variant meets ${budget.text}.`;
  if (!recommended) return `Nothing meets ${budget.text}; ${int8Part}`;
  return `${recommended.label} is the smallest that meets ${budget.text} (${figures(recommended)}, ${pct(recommended)}); ${int8Part}`;
}

export async function searchQuantization(request: SearchRequest, options: SearchOptions = {}): Promise<SearchResult> {
  const started = performance.now();
  const budget = parseBudget(request.budget);
  const kinds = request.kinds ?? [...CANDIDATE_KINDS];
  const unknown = kinds.filter((k) => !(CANDIDATE_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new InputError(`Unknown candidate(s) ${unknown.join(', ')}; choose from ${CANDIDATE_KINDS.join(', ')}.`);
  const heldOutShare = request.dataHoldOut !== undefined && request.calibration.holdOut === request.dataHoldOut.fraction && (request.calibration.seed ?? 0) === request.dataHoldOut.seed;
  if (resolve(request.data) === resolve(request.calibration.path) && !heldOutShare) throw new InputError('--data must be held-out samples, not the --calibration data: candidates judged on the samples they were calibrated on look better than they are.');
  const dir = await mkdtemp(join(tmpdir(), 'edgequant-search-'));
  const warnings: string[] = [];
  const candidates: CandidateResult[] = [];
  let cancelled = false;
  try {
    const floatPath = join(dir, 'float.tflite');
    await convertModel({ ...modelSource(request), output: floatPath, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } }, options.signal ? { signal: options.signal } : {});
    const ctx: Context = { request, budget, floatPath, floatBytes: (await readFile(floatPath)).length, dir, options };
    const queue = baseCandidates(kinds, request.calibration);
    let layers = 0;
    const wantsMixed = kinds.includes('int8-mixed');
    // Mixed candidates: about log2(layers) doubling steps plus as many halving steps; refined once ranked.
    let mixedPlanned = wantsMixed ? 6 : 0;
    const planned = () => queue.length + mixedPlanned;
    const run = async (spec: CandidateSpec): Promise<CandidateResult | undefined> => {
      if (options.signal?.aborted) {
        cancelled = true;
        return undefined;
      }
      const avg = candidates.length ? candidates.reduce((n, c) => n + c.elapsedMs, 0) / candidates.length : undefined;
      options.onProgress?.({ stage: `measuring ${spec.label}`, done: candidates.length, total: planned(), ...(avg ? { etaMs: avg * (planned() - candidates.length) } : {}) });
      try {
        const result = await measure(ctx, spec);
        candidates.push(result);
        const runId = request.project ? await recordCandidate(request.project, request, spec, result, ctx.floatBytes) : undefined;
        const { path: _path, ...measured } = result;
        options.onCandidate?.({ ...measured, ...(runId ? { runId } : {}) });
        return result;
      } catch (error) {
        if (error instanceof CancelledError) {
          cancelled = true;
          return undefined;
        }
        if (error instanceof InputError) throw error;
        warnings.push(`${spec.label} failed: ${(error as Error).message}`);
        return undefined;
      }
    };
    for (const spec of queue) await run(spec);
    const int8Met = candidates.some((c) => (c.kind === 'int8' || c.kind === 'int8-gptq') && c.meetsBudget);
    if (wantsMixed && !int8Met && !cancelled) {
      options.onProgress?.({ stage: 'ranking layers with the debugger', done: candidates.length, total: planned() });
      const ranking = await rankLayers(ctx);
      layers = ranking.length;
      const limit = Math.min(request.maxKeepFloat ?? layers, layers);
      mixedPlanned = 2 * Math.ceil(Math.log2(Math.max(limit, 2))) + 1;
      // k doubles until the budget holds, then halves the gap to the smallest k that holds.
      const steps: number[] = [];
      for (let k = 1; k < limit; k *= 2) steps.push(k);
      if (limit > 0) steps.push(limit);
      let low = 0;
      let high: number | undefined;
      for (const k of steps) {
        if (cancelled) break;
        const result = await run(mixedCandidate(ranking.slice(0, k), layers, request.calibration));
        if (result?.meetsBudget) {
          high = k;
          break;
        }
        low = k;
      }
      while (high !== undefined && high - low > 1 && !cancelled && candidates.length < 16) {
        const k = Math.floor((low + high) / 2);
        const result = await run(mixedCandidate(ranking.slice(0, k), layers, request.calibration));
        if (result?.meetsBudget) high = k;
        else low = k;
      }
    }
    const pareto = paretoSet(candidates).map((c) => c.id);
    const recommended = pickRecommended(candidates);
    let output: string | undefined;
    if (recommended) {
      output = resolve(request.output);
      await mkdir(dirname(output), { recursive: true });
      // Atomic: a cancelled or failed copy never leaves a half-written model at the output path.
      await copyFile(recommended.path!, `${output}.partial`);
      await rename(`${output}.partial`, output);
    }
    // Candidate files live in a temporary folder (a project keeps them as run artifacts).
    for (const c of candidates) delete c.path;
    options.onProgress?.({ stage: 'done', done: candidates.length, total: candidates.length });
    return {
      budget: budget.text,
      floatBytes: ctx.floatBytes,
      candidates,
      pareto,
      ...(recommended ? { recommended: recommended.id } : {}),
      verdict: verdictText(candidates, recommended, layers, budget),
      cancelled,
      ...(output ? { output } : {}),
      timings: { totalMs: Math.round(performance.now() - started) },
      warnings,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
