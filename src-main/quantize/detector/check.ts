// The quantizer's hook: after calibration, the detector findings of the graph being quantized
// (ranges per output group, DFL precision) for the report, and warnings for the int8 parts.
import { mainGraph, type ModelGraph } from '../../graph/model-graph';
import type { Statistics } from '../qtypes';
import { detectorFindings, detectorWarnings, type DetectorFindings } from './findings';
import { findDetectorHead } from './head';

export function detectorCheck(model: ModelGraph, statistics: Statistics, isInt8: (node: string) => boolean): { findings: DetectorFindings; warnings: string[] } | undefined {
  const head = findDetectorHead(model);
  if (!head || (!head.concatOutputs.length && !head.dfl.length)) return undefined;
  const graph = mainGraph(model);
  const outputOf = new Map(graph.nodes.map((n) => [n.name, n.outputs[0]]));
  const findings = detectorFindings(head, statistics, (node) => outputOf.get(node));
  const int8Concat = new Set(head.concatOutputs.filter((c) => isInt8(c.concat)).map((c) => c.output));
  const int8Dfl = new Set(head.dfl.filter((d) => isInt8(d.softmax) || isInt8(d.weightedSum)).map((d) => d.softmax));
  const warned = { concatOutputs: findings.concatOutputs.filter((c) => int8Concat.has(c.output)), dfl: findings.dfl.filter((d) => int8Dfl.has(d.softmax)) };
  return { findings, warnings: detectorWarnings(warned) };
}
