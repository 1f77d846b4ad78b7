// The change between two runs' headline figures (the compared run against a base run), for the
// line under History's comparison after "Keep float".
import type { RunRecord } from '../../../src-main/projects/types';
import { fileSizeChange } from '../../lib/file-size';

export interface RunChange {
  sqnrDb: number | null;
  sizeBytes: number | null;
  sizePct: number | null;
  accuracyPts: number | null;
}

const diff = (a: number | null | undefined, b: number | null | undefined) => (typeof a === 'number' && typeof b === 'number' ? a - b : null);

export function runChange(run: RunRecord, base: RunRecord): RunChange {
  const size = diff(run.metrics.sizeBytes, base.metrics.sizeBytes);
  const baseSize = base.metrics.sizeBytes;
  const accuracy = diff(run.metrics.accuracy ?? run.metrics.agreement, base.metrics.accuracy ?? base.metrics.agreement);
  return {
    sqnrDb: diff(run.metrics.sqnrDb, base.metrics.sqnrDb),
    sizeBytes: size,
    sizePct: size !== null && typeof baseSize === 'number' && baseSize > 0 ? (100 * size) / baseSize : null,
    accuracyPts: accuracy === null ? null : accuracy * 100,
  };
}

const signed = (x: number, digits: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(digits)}`;

export function formatChange(c: RunChange): string[] {
  const parts: string[] = [];
  if (c.sqnrDb !== null) parts.push(`SQNR ${signed(c.sqnrDb, 2)} dB`);
  if (c.sizeBytes !== null) parts.push(`size ${fileSizeChange(c.sizeBytes)}${c.sizePct !== null ? ` (${signed(c.sizePct, 1)}%)` : ''}`);
  if (c.accuracyPts !== null) parts.push(`accuracy ${signed(c.accuracyPts, 1)} pts`);
  return parts;
}
