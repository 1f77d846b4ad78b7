// The search's result as a terminal table: every candidate measured, the Pareto set marked, the
// recommendation and the verdict.
import { formatClauseFigure } from './budget';
import type { SearchResult } from './types';

export function formatSearch(result: SearchResult): string {
  const pareto = new Set(result.pareto);
  const lines = [
    `Budget ${result.budget}; float .tflite ${(result.floatBytes / 1024).toFixed(1)} KiB`,
    '',
    '  candidate                                    size          latency     budget figures          ',
  ];
  for (const c of result.candidates) {
    const mark = c.id === result.recommended ? '→' : pareto.has(c.id) ? '*' : ' ';
    const size = `${(c.bytes / 1024).toFixed(1)} KiB (${Math.round(c.sizeRatio * 100)}%)`;
    const latency = Number.isFinite(c.latencyMs) ? `${c.latencyMs.toFixed(2)} ms` : 'n/a';
    const figures = c.verdicts.map((v) => `${formatClauseFigure(v)}${v.met ? '' : ' ✗'}`).join(', ');
    lines.push(`${mark} ${c.label.padEnd(44)} ${size.padEnd(13)} ${latency.padStart(10)}   ${figures}`);
  }
  const where = result.candidates[0]?.latencyWhere;
  lines.push('', `→ recommended, * Pareto set (size, latency, ${result.budget.split(/[,]| and /)[0]!.trim()}); latency on ${where ?? 'n/a'}`);
  lines.push(result.verdict);
  if (result.output) lines.push(`Wrote ${result.output}`);
  if (result.cancelled) lines.push('Cancelled: the figures above are what was measured before.');
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}
