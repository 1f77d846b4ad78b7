// A detector's concatenated output (boxes in pixels next to scores in 0..1) is judged per group
// as well as whole: joined, the box pixels fill the signal power and hide the scores. A file
// written with `--detector-fix split` has the groups as its outputs (split-outputs.ts); this finds
// the same groups inside a file that kept the one output.
import type { ModelGraph } from '../graph/model-graph';
import { findDetectorHead } from '../quantize/detector/head';
import { groupRuns } from '../quantize/detector/split';
import type { RuntimeTensorInfo } from '../runtime/types';
import type { OutputPart } from './split-outputs';

/** Per output of `model`, its groups when it is a detector's concatenation of boxes and scores (else empty). */
export function concatOutputParts(model: ModelGraph, outputs: readonly RuntimeTensorInfo[]): OutputPart[][] {
  const head = findDetectorHead(model, { isDetector: false });
  return outputs.map((t) => {
    const c = head?.concatOutputs.find((o) => o.output === t.name);
    const runs = c ? groupRuns(c) : [];
    // Only a head whose groups are recognised as boxes or scores: other concatenations are one signal.
    if (!c || !runs.some((r) => r.role !== 'other')) return [];
    return runs.map((r) => {
      const shape = [...t.shape];
      shape[c.outputAxis] = r.end - r.start;
      return { name: `${t.name}_${r.label}`, shape, axis: c.outputAxis, start: r.start, end: r.end };
    });
  });
}
