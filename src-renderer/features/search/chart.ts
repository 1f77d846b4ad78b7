// The Search page's live chart (chart.js): every measured candidate by size against the budget's
// figure (or latency), met / not met in two colours, the recommended one outlined and the Pareto
// front as a line. Takes plain data (callers pass $state.snapshot values).
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { CandidatePoint } from './points';
import { fileSize } from '../../lib/file-size';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export type YAxis = 'figure' | 'latency';

export interface ChartInput {
  points: CandidatePoint[];
  pareto: string[];
  recommended: string | null;
  y: YAxis;
  /** The y axis title for 'figure' (e.g. "SQNR against float (dB)"). */
  figureTitle: string;
  /** The budget's bound, drawn as a dashed line on the figure axis. */
  threshold: number | null;
}

/** The y value of a point; candidates identical to float sit just above the best finite figure. */
function yOf(p: CandidatePoint, input: ChartInput, top: number): number | null {
  if (input.y === 'latency') return p.latencyMs;
  return p.figure ?? top;
}

export function searchChart(canvas: HTMLCanvasElement, input: ChartInput): Chart {
  const text = css('--text');
  const grid = css('--border');
  const ok = css('--ok');
  const bad = css('--danger');
  const finite = input.points.map((p) => p.figure).filter((v): v is number => v !== null);
  const top = (finite.length ? Math.max(...finite) : 0) + 10;
  const shown = input.points.filter((p) => yOf(p, input, top) !== null);
  const xy = (p: CandidatePoint) => ({ x: p.bytes / 1024, y: yOf(p, input, top)! });
  const front = shown.filter((p) => input.pareto.includes(p.id)).sort((a, b) => a.bytes - b.bytes);
  const group = (meets: boolean) => shown.filter((p) => p.meets === meets);
  const dataset = (meets: boolean) => {
    const pts = group(meets);
    return {
      label: meets ? 'Meets the budget' : 'Does not meet it',
      data: pts.map(xy),
      backgroundColor: meets ? ok : bad,
      borderColor: pts.map((p) => (p.id === input.recommended ? text : meets ? ok : bad)),
      borderWidth: pts.map((p) => (p.id === input.recommended ? 3 : 1)),
      pointRadius: pts.map((p) => (p.id === input.recommended ? 9 : 6)),
      order: 2,
    };
  };
  const byDataset = [group(true), group(false), front];
  const xs = shown.map((p) => p.bytes / 1024);
  const bound =
    input.y === 'figure' && input.threshold !== null && xs.length
      ? [{ type: 'line' as const, label: 'Budget', data: [{ x: Math.min(...xs), y: input.threshold }, { x: Math.max(...xs), y: input.threshold }], borderColor: css('--text-muted'), borderDash: [6, 4], borderWidth: 1, pointRadius: 0, showLine: true, order: 0 }]
      : [];
  return new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        dataset(true),
        dataset(false),
        { type: 'line', label: 'Pareto front', data: front.map(xy), borderColor: css('--accent'), backgroundColor: css('--accent'), pointRadius: 0, showLine: true, order: 1 },
        ...bound,
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      color: text,
      scales: {
        x: { ticks: { color: text }, grid: { color: grid }, title: { display: true, color: text, text: 'Size (KiB)' } },
        y: { ticks: { color: text }, grid: { color: grid }, title: { display: true, color: text, text: input.y === 'latency' ? 'Latency (ms)' : input.figureTitle } },
      },
      plugins: {
        legend: { labels: { color: text } },
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const p = byDataset[ctx.datasetIndex]?.[ctx.dataIndex];
              if (!p) return '';
              const latency = p.latencyMs === null ? 'latency not measured' : `${p.latencyMs.toFixed(3)} ms`;
              return `${p.label}: ${fileSize(p.bytes)}, ${p.figureText}, ${latency}${p.id === input.recommended ? ' (recommended)' : ''}`;
            },
          },
        },
      },
    },
  });
}
