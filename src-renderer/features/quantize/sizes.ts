// The "before" of the Results size tile: the user's source model as it sits on disk (all its
// files: TF.js shards, a whole SavedModel folder), else the float .tflite evaluated against.
import type { RunMetrics } from '../../../src-main/projects/types';

export function sizeBefore(metrics: RunMetrics): number | null {
  const source = metrics.sourceBytes;
  if (typeof source === 'number' && source > 0) return source;
  const float = metrics.floatBytes;
  return typeof float === 'number' && float > 0 ? float : null;
}
