// A measured candidate as the chart and table show it: size, the budget's first figure in its
// display unit, latency, and whether it is on the Pareto front (no other candidate at least as
// small, fast and good while better in one).
import type { MeasuredCandidate } from '../../../src-main/search/types';

export interface CandidatePoint {
  id: string;
  label: string;
  runId?: string;
  bytes: number;
  sizeRatio: number;
  latencyMs: number | null;
  latencyWhere: string;
  /** The budget's first figure: dB for SQNR, % for agreement and accuracy drop; null when identical to float. */
  figure: number | null;
  figureText: string;
  meets: boolean;
  keptFloat: number;
}

export function toPoint(c: MeasuredCandidate): CandidatePoint {
  const v = c.verdicts[0];
  const isDb = v?.clause.metric === 'sqnr';
  const raw = v ? (isDb ? v.measured : v.measured * 100) : NaN;
  const figure = Number.isFinite(raw) ? raw : null;
  const figureText = figure === null ? (v && isDb ? 'identical to float' : '–') : isDb ? `${figure.toFixed(1)} dB` : `${figure.toFixed(1)}%`;
  return {
    id: c.id,
    label: c.label,
    ...(c.runId ? { runId: c.runId } : {}),
    bytes: c.bytes,
    sizeRatio: c.sizeRatio,
    latencyMs: Number.isFinite(c.latencyMs) ? c.latencyMs : null,
    latencyWhere: c.latencyWhere,
    figure,
    figureText,
    meets: c.meetsBudget,
    keptFloat: c.keepFloat?.length ?? 0,
  };
}

/** The budget's first bound in the chart's unit (dB, or % for agreement and accuracy drop). */
export function thresholdOf(c: MeasuredCandidate | undefined): number | null {
  const clause = c?.verdicts[0]?.clause;
  if (!clause) return null;
  return clause.metric === 'sqnr' ? clause.value : clause.value * 100;
}

/** The candidate closest to the budget's first bound when none meets it. */
export function closestOf(points: readonly CandidatePoint[], higherIsBetter: boolean): CandidatePoint | undefined {
  const scored = points.filter((p) => p.figure !== null);
  return scored.sort((a, b) => (higherIsBetter ? b.figure! - a.figure! : a.figure! - b.figure!))[0] ?? points.find((p) => p.figure === null);
}

/** Ids of the candidates no other candidate dominates (quality: higher is better). */
export function paretoIds(candidates: readonly MeasuredCandidate[]): string[] {
  const key = (c: MeasuredCandidate) => ({ bytes: c.bytes, latency: Number.isFinite(c.latencyMs) ? c.latencyMs : Infinity, quality: c.quality });
  const dominates = (a: ReturnType<typeof key>, b: ReturnType<typeof key>) =>
    a.bytes <= b.bytes && a.latency <= b.latency && a.quality >= b.quality && (a.bytes < b.bytes || a.latency < b.latency || a.quality > b.quality);
  return candidates.filter((c) => !candidates.some((o) => o !== c && dominates(key(o), key(c)))).map((c) => c.id);
}

/** The smallest (then fastest) candidate that meets the budget, as the search recommends. */
export function recommendedOf(candidates: readonly MeasuredCandidate[]): string | undefined {
  const latency = (c: MeasuredCandidate) => (Number.isFinite(c.latencyMs) ? c.latencyMs : Infinity);
  return [...candidates].filter((c) => c.meetsBudget).sort((a, b) => a.bytes - b.bytes || latency(a) - latency(b))[0]?.id;
}
