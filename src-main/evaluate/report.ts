// The human table for an evaluation report (the CLI prints it; --json prints the report).
import type { EvaluationReport } from './evaluate';

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const db = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} dB` : 'identical');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function formatReport(r: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(`Runtime: ${r.runtime.name} ${r.runtime.version}${r.runtime.fallbackReason ? ` (fallback: ${r.runtime.fallbackReason})` : ''}`);
  lines.push(`Data: ${r.data}; ${r.samples} sample(s) compared${r.classes ? `; classes: ${r.classes.join(', ')}` : ''}`);
  lines.push('');
  const lat = (side: EvaluationReport['float']) => (side.latencyMs ? `${side.latencyMs.median.toFixed(3)} / ${side.latencyMs.p90.toFixed(3)} ms` : '-');
  lines.push(
    table([
      ['model', 'size', 'latency median / p90', 'path'],
      ['float', kb(r.float.bytes), lat(r.float), r.float.convertedFrom ? `${r.float.path} (converted)` : r.float.path],
      ['quantized', `${kb(r.quant.bytes)} (${pct(r.sizeRatio)})`, lat(r.quant), r.quant.path],
    ]),
  );
  lines.push('');
  const labelled = r.outputs.some((o) => o.labelled);
  const header = ['output', 'shape', 'SQNR', 'cosine', 'max abs err', 'top-1 agree'];
  if (labelled) header.push('float acc', 'quant acc');
  const rows = [header];
  for (const o of r.outputs) {
    const row = [o.name, `[${o.shape.join(',')}]`, db(o.sqnrDb), o.cosine.toFixed(5), o.maxAbsError.toPrecision(4), pct(o.top1Agreement)];
    if (labelled) row.push(pct(o.floatAccuracy), pct(o.quantAccuracy));
    rows.push(row);
    for (const p of o.parts ?? []) rows.push([`  part ${p.name}`, `[${p.shape.join(',')}]`, db(p.sqnrDb), p.cosine.toFixed(5), p.maxAbsError.toPrecision(4), '', ...(labelled ? ['', ''] : [])]);
  }
  lines.push(table(rows));
  if (r.layers?.length) {
    const worst = [...r.layers].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, 10);
    lines.push('', `Per layer (${r.layers.length} tensors, simulated in the interpreter); lowest SQNR first:`);
    // TFLite names fuse several source ops with ';': the first one is the recognisable layer.
    const short = (name: string) => {
      const first = name.split(';')[0]!;
      return first.length > 60 ? `…${first.slice(-59)}` : first;
    };
    lines.push(table([['SQNR', 'cosine', 'max abs err', 'op', 'layer'], ...worst.map((l) => [db(l.sqnrDb), l.cosine.toFixed(5), l.maxAbsError.toPrecision(4), l.op, short(l.node)])]));
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/** JSON-safe copy: non-finite numbers (identical outputs' SQNR) become null. */
export function reportJson(r: EvaluationReport): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
