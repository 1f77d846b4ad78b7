// Writes N synthetic but well-formed run records straight to disk (no index), for listing tests
// and the listing benchmark. File functions are passed in so this stays a plain helper.
import { join } from 'node:path';
import type { RunRecord } from '../../src-main/projects/types';

export function seedRuns(
  dir: string,
  count: number,
  fs: { mkdirSync: (p: string, o?: { recursive: boolean }) => unknown; writeJsonAtomic: (p: string, v: unknown) => void },
): void {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const id = `run-${String(i).padStart(4, '0')}`;
    const record: RunRecord = {
      schema: 1,
      id,
      status: i % 10 === 3 ? 'failed' : 'succeeded',
      tool: { name: 'EdgeQuant Studio', version: 'seed' },
      startedAt: new Date(t0 + i * 60_000).toISOString(),
      finishedAt: new Date(t0 + i * 60_000 + 5_000).toISOString(),
      durationMs: 5_000,
      config: { kind: 'convert', request: { model: 'm.h5', output: 'o.tflite', quantize: { mode: (['fp16', 'dynamic', 'int8', 'int16x8'] as const)[i % 4], inputType: 'float32', outputType: 'float32', int8Only: false } } },
      inputs: {},
      metrics: { sizeBytes: i * 100 + 1000, accuracy: 0.9 + (i % 7) / 100 },
      timings: {},
      artifacts: [],
      deviceResults: [{ device: 'local', at: new Date(t0).toISOString(), latencyMs: { min: 1, p50: 1 + (i % 5), p90: 7, p99: 8, mean: 3, max: 9 } }],
      warnings: [],
    };
    fs.mkdirSync(join(dir, 'runs', id), { recursive: true });
    fs.writeJsonAtomic(join(dir, 'runs', id, 'run.json'), record);
  }
}
