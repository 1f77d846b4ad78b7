// The size figures of a run: the .tflite against the same model written as a float .tflite (a
// fair "before": TF.js shards may be uint8-packed, a SavedModel folder holds more than weights),
// and the source files' size on its own.
import type { RunMetrics } from '../../../src-main/projects/types';

export interface SizeFigures {
  tflite: number | null;
  /** The same model as a float .tflite: recorded by the conversion, else the evaluation's float file. */
  floatTflite: number | null;
  source: number | null;
  /** floatTflite / tflite */
  smaller: number | null;
}

const positive = (x: number | null | undefined) => (typeof x === 'number' && x > 0 ? x : null);

export function sizeFigures(metrics: RunMetrics): SizeFigures {
  const tflite = positive(metrics['sizeBytes']);
  const floatTflite = positive(metrics['floatTfliteBytes']) ?? positive(metrics['floatBytes']);
  return { tflite, floatTflite, source: positive(metrics['sourceBytes']), smaller: tflite && floatTflite ? floatTflite / tflite : null };
}
