// The "Debug" job of a project run: the quantization debugger run on the run's own .tflite
// against its float model, on the run's held-out evaluation data, the report saved as the run's
// debug.json so reopening the view reads it instead of measuring again.
import { isAbsolute, join, resolve } from 'node:path';
import type { DebugReport } from '../debug/types';
import type { RunProgress } from '../projects/api-contract';
import { DEBUG_ARTIFACT, type ProjectDebugParams } from '../projects/debug-api-contract';
import { DebugRunError } from '../projects/debug-report';
import { readRun, runDir, writeJsonArtifact } from '../projects/runs';

const inProject = (project: string, path: string) => (isAbsolute(path) ? path : resolve(project, path));

export async function runProjectDebug(params: ProjectDebugParams, progress: (p: RunProgress) => void, signal?: AbortSignal): Promise<DebugReport> {
  const run = readRun(params.project, params.runId);
  const request = run.config.request;
  const tflite = run.artifacts.find((a) => a.kind === 'tflite');
  if (run.status !== 'succeeded' || !request || !tflite) throw new DebugRunError(`Run ${run.id} has no quantized .tflite to debug; pick a succeeded conversion run.`);
  if (request.quantize.mode === 'none') throw new DebugRunError(`Run ${run.id} is a float conversion (mode none): there is no quantization error to debug.`);
  const evaluateData = typeof run.config['evaluateData'] === 'string' ? run.config['evaluateData'] : undefined;
  const data = params.data ?? evaluateData ?? request.quantize.calibration?.path;
  if (!data) throw new DebugRunError(`Run ${run.id} recorded no evaluation or calibration data; give held-out data to debug it on.`);
  const { debugQuantization } = await import('../debug/index');
  const ref = { dir: resolve(params.project), id: run.id };
  const report = await debugQuantization(
    {
      model: inProject(params.project, request.model),
      ...(request.companions ? { companions: request.companions.map((c) => inProject(params.project, c)) } : {}),
      ...(request.inputShape ? { inputShape: request.inputShape } : {}),
      ...(request.unrollRnn ? { unrollRnn: true } : {}),
      // The run's own file, so the report explains exactly what the run measured.
      quantized: join(runDir(ref), tflite.name),
      quantize: request.quantize,
      data: inProject(params.project, data),
      ...(request.quantize.calibration?.preprocess ? { preprocess: request.quantize.calibration.preprocess } : {}),
      ...(params.samples ? { samples: params.samples } : {}),
    },
    { ...(signal ? { signal } : {}), onProgress: (stage, fraction) => progress({ stage, ...(fraction !== undefined ? { fraction } : {}) }) },
  );
  progress({ stage: 'saving debug.json', fraction: 1 });
  await writeJsonArtifact(ref, DEBUG_ARTIFACT, report);
  return report;
}
