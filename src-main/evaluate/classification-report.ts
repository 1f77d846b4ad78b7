// The classification results as the CLI prints them: both models' accuracy on the labels, the
// per-class table and the classes the quantized model most often moved samples between (the
// Studio's run page draws the same results as tiles, a confusion matrix and a gallery).
import type { ClassificationResults } from './classification';

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/** How many float → quantized moves of each kind to list. */
const TOP_MOVES = 5;

export function formatClassification(c: ClassificationResults): string {
  const lines = [`Classification (output ${c.output}; ${c.samples} sample(s), ${c.labelled} labelled; ${c.classes.length} classes):`];
  lines.push(
    c.labelled > 0
      ? `  accuracy on the labels: float ${pct(c.floatAccuracy)}, quantized ${pct(c.quantAccuracy)}; top-1 agreement ${pct(c.agreement)}`
      : `  top-1 agreement ${pct(c.agreement)}; no labels, so no accuracy (give class sub-folders or --labels FILE.npy)`,
  );
  lines.push(`  ${c.changed.total} prediction(s) changed by quantization`);
  const header = c.labelled > 0 ? ['class', 'samples', 'float acc', 'quant acc', 'float predicted', 'same in quant'] : ['class', 'float predicted', 'same in quant'];
  const rows = c.perClass.map((r) =>
    c.labelled > 0
      ? [r.name, String(r.samples), pct(r.floatAccuracy), pct(r.quantAccuracy), String(r.floatPredicted), String(r.agreed)]
      : [r.name, String(r.floatPredicted), String(r.agreed)],
  );
  lines.push(...table([header, ...rows]).map((l) => `  ${l}`));
  const moves = c.confusion.floatVsQuant.cells.filter(([f, q]) => f !== q).sort((a, b) => b[2] - a[2]).slice(0, TOP_MOVES);
  if (moves.length) lines.push(`  most changed (float → quantized): ${moves.map(([f, q, n]) => `${c.classes[f] ?? f} → ${c.classes[q] ?? q} (${n})`).join(', ')}`);
  return lines.join('\n') + '\n';
}
