// What calibration says about a detector's head: how many int8 levels each channel group of a
// concatenated output gets in the range it shares, and how finely a DFL head's weighted sum is
// stored. The warnings the quantizer adds to its report come from here.
import type { Statistics, TensorRange } from '../qtypes';
import type { DetectorHead } from './head';

/** A group using fewer int8 levels than this (5 bits) next to a group using far more is flagged. */
export const MIN_GROUP_LEVELS = 32;

export interface GroupFinding {
  label: string;
  range: TensorRange;
  /** Int8 levels the group's range spans at the shared scale (of 256). */
  levels: number;
}

export interface ConcatFinding {
  output: string;
  range: TensorRange;
  groups: GroupFinding[];
  /** Some group has fewer than MIN_GROUP_LEVELS levels. */
  mixed: boolean;
}

export interface DflFinding {
  softmax: string;
  bins: number;
  /** Calibrated range of the weighted sum (in bins) and its int8 step. */
  range: TensorRange;
  step: number;
}

export interface DetectorFindings {
  concatOutputs: ConcatFinding[];
  dfl: DflFinding[];
}

/** The asymmetric int8 scale of a range (nudged to include 0, as params.ts stores it). */
export function int8Scale(range: TensorRange): number {
  const span = Math.max(range.max, 0) - Math.min(range.min, 0);
  return span > 0 ? span / 255 : 1;
}

export function detectorFindings(head: DetectorHead, statistics: Statistics, tensorOf: (node: string) => string | undefined): DetectorFindings {
  const concatOutputs: ConcatFinding[] = [];
  for (const c of head.concatOutputs) {
    const ranges = c.groups.map((g) => statistics.get(g.tensor));
    if (ranges.some((r) => !r)) continue;
    const range = { min: Math.min(...ranges.map((r) => r!.min)), max: Math.max(...ranges.map((r) => r!.max)) };
    const scale = int8Scale(range);
    const groups = c.groups.map((g, i) => ({ label: g.label, range: ranges[i]!, levels: Math.min(256, Math.round((ranges[i]!.max - ranges[i]!.min) / scale) + 1) }));
    concatOutputs.push({ output: c.output, range, groups, mixed: groups.some((g) => g.levels < MIN_GROUP_LEVELS) });
  }
  const dfl: DflFinding[] = [];
  for (const d of head.dfl) {
    const range = statistics.get(tensorOf(d.weightedSum) ?? '');
    if (range) dfl.push({ softmax: d.softmax, bins: d.bins, range, step: int8Scale(range) });
  }
  return { concatOutputs, dfl };
}

const fig = (x: number): string => (Math.abs(x) >= 10 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toFixed(2));

/** One warning per mixed-range output and per DFL head, with the figures. */
export function detectorWarnings(findings: DetectorFindings): string[] {
  const warnings: string[] = [];
  for (const c of findings.concatOutputs.filter((o) => o.mixed)) {
    const starved = c.groups.filter((g) => g.levels < MIN_GROUP_LEVELS);
    const parts = starved.map((g) => `${g.label} use ${g.levels} of 256 int8 levels (range ${fig(g.range.min)}–${fig(g.range.max)} in a ${fig(c.range.min)}–${fig(c.range.max)} tensor)`);
    warnings.push(`output '${c.output}': ${parts.join('; ')}: the concatenated output shares one int8 scale; --detector-fix split gives each group its own output and scale.`);
  }
  for (const d of findings.dfl) {
    warnings.push(
      `DFL head at '${d.softmax}': a softmax over ${d.bins} bins (int8 probabilities in steps of 1/256) then a weighted sum stored in steps of ${d.step.toPrecision(2)} bins (range ${fig(d.range.min)}–${fig(d.range.max)}); --detector-fix head-float or head-int16 keeps it at higher precision.`,
    );
  }
  return warnings;
}
