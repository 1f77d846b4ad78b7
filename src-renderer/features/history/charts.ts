// chart.js wrappers for the History page. They take plain data (callers pass $state.snapshot
// values), so chart.js never sees Svelte proxies.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { ParetoPoint } from './pareto';
import { fileSize } from '../../lib/file-size';
import { inSentence, metricName, SCORE_NAMES, type ScoreKind } from '../runs/metric-names';

export type ScatterPoint = ParetoPoint & { label: string; scoreKind: ScoreKind | null; selected: boolean };

Chart.register(ScatterController, LineController, BarController, PointElement, LineElement, BarElement, LinearScale, CategoryScale, Tooltip, Legend);

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
const PALETTE = ['#1f6feb', '#d97706', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

function baseOptions() {
  const text = css('--text');
  const grid = css('--border');
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    color: text,
    plugins: { legend: { labels: { color: text } } },
    scales: {
      x: { ticks: { color: text }, grid: { color: grid }, title: { display: true, color: text, text: '' } },
      y: { ticks: { color: text }, grid: { color: grid }, title: { display: true, color: text, text: '' } },
    },
  };
}

/**
 * Size (KiB) vs latency (ms); point size grows with the score (accuracy, or agreement with float
 * without labels); the Pareto front as a line drawn over the bubbles; selected runs outlined.
 */
export function scatterChart(canvas: HTMLCanvasElement, points: ScatterPoint[], front: ParetoPoint[]): Chart {
  const options = baseOptions();
  options.scales.x.title.text = 'Size (KiB)';
  options.scales.y.title.text = 'Latency p50 (ms)';
  const accs = points.map((p) => p.accuracy);
  const lo = Math.min(...accs);
  const hi = Math.max(...accs);
  const radius = (a: number) => 4 + (hi > lo ? ((a - lo) / (hi - lo)) * 8 : 4);
  return new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'Runs (bigger = closer to float / more accurate)',
          data: points.map((p) => ({ x: p.size / 1024, y: p.latency })),
          pointRadius: points.map((p) => radius(p.accuracy)),
          backgroundColor: '#1f6feb66',
          borderColor: points.map((p) => (p.selected ? css('--text') : '#1f6feb')),
          borderWidth: points.map((p) => (p.selected ? 3 : 1)),
          // chart.js draws lower `order` last: the front stays visible over large bubbles.
          order: 2,
        },
        {
          type: 'line',
          order: 1,
          label: 'Pareto front',
          data: front.map((p) => ({ x: p.size / 1024, y: p.latency })),
          borderColor: '#16a34a',
          backgroundColor: '#16a34a',
          pointRadius: 3,
          showLine: true,
        },
      ],
    },
    options: {
      ...options,
      plugins: {
        ...options.plugins,
        tooltip: {
          callbacks: {
            label: (ctx) => {
              const p = ctx.datasetIndex === 0 ? points[ctx.dataIndex] : undefined;
              if (!p) return 'Pareto front';
              const scoreText = p.scoreKind ? `, ${inSentence(SCORE_NAMES[p.scoreKind])} ${(p.accuracy * 100).toFixed(1)}%` : '';
              return `${p.label}: ${fileSize(p.size)}, ${p.latency.toFixed(3)} ms${scoreText}`;
            },
          },
        },
      },
    },
  });
}

/** One series per device: latency samples bucketed into a histogram. */
export function latencyDistributionChart(canvas: HTMLCanvasElement, series: { device: string; samples: number[] }[]): Chart {
  // Bins span the 1st..99th percentile so a few slow first runs do not squash the histogram;
  // outliers land in the edge bins.
  const all = series.flatMap((s) => s.samples).sort((a, b) => a - b);
  const lo = all[Math.floor(all.length * 0.01)]!;
  const hi = all[Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)]!;
  const bins = 20;
  const width = (hi - lo) / bins || 1;
  const labels = Array.from({ length: bins }, (_, i) => (lo + (i + 0.5) * width).toFixed(3));
  const options = baseOptions();
  options.scales.x.title.text = 'Latency (ms)';
  options.scales.y.title.text = 'Runs';
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s, k) => {
        const counts = new Array<number>(bins).fill(0);
        for (const v of s.samples) counts[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width)))]!++;
        return { label: s.device, data: counts, backgroundColor: PALETTE[k % PALETTE.length]! };
      }),
    },
    options,
  });
}

/** One metric per run over time (x = start time). */
export function metricOverTimeChart(canvas: HTMLCanvasElement, metric: string, points: { t: number; value: number; label: string; selected: boolean }[]): Chart {
  const options = baseOptions();
  options.scales.y.title.text = metricName(metric);
  options.scales.x.title.text = 'Run start';
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [{ label: metricName(metric), data: points.map((p) => ({ x: p.t, y: p.value })), borderColor: '#d97706', backgroundColor: '#d97706', pointRadius: points.map((p) => (p.selected ? 7 : 4)) }] },
    options: {
      ...options,
      scales: { ...options.scales, x: { ...options.scales.x, type: 'linear', ticks: { ...options.scales.x.ticks, callback: (v) => new Date(Number(v)).toLocaleTimeString() } } },
    },
  });
}
