// The float graph passes, in the order the official converter effectively applies them.
// Each pass returns how many rewrites it made; the report goes into the convert result.
import type { ModelGraph } from '../model-graph';
import { pruneTensors } from '../model-graph';
import { canonicalizeReshapes } from './canonicalize-reshape';
import { foldConstants } from './constant-fold';
import { dedupeNodes } from './dedupe';
import { foldAffine } from './fold-affine';
import { foldInputAffine } from './fold-input-affine';
import { foldPadding } from './fold-padding';
import { fuseActivations } from './fuse-activation';
import { removeIdentities } from './remove-identity';
import { sinkTransposes } from './sink-transposes';

export type PassReport = Record<string, number>;

/** `layout: false` keeps the source's TRANSPOSE ops (to measure what the layout pass gains). */
export function runFloatPasses(model: ModelGraph, options: { layout?: boolean } = {}): PassReport {
  const report: PassReport = { constantFold: 0, identity: 0, padding: 0, batchNorm: 0, inputScale: 0, activation: 0, reshape: 0, duplicates: 0, transposes: 0 };
  for (const graph of model.graphs) {
    report['constantFold']! += foldConstants(graph);
    report['identity']! += removeIdentities(graph);
    report['padding']! += foldPadding(graph);
    report['batchNorm']! += foldAffine(graph);
    report['inputScale']! += foldInputAffine(graph);
    if (options.layout !== false) report['transposes']! += sinkTransposes(graph);
    // Pads the layout pass moved next to their convs can now fold into them.
    report['padding']! += foldPadding(graph);
    report['activation']! += fuseActivations(graph);
    report['reshape']! += canonicalizeReshapes(graph);
    report['identity']! += removeIdentities(graph);
    report['duplicates']! += dedupeNodes(graph);
    pruneTensors(graph);
  }
  return report;
}

export { canonicalizeReshapes, dedupeNodes, foldAffine, foldConstants, foldInputAffine, foldPadding, fuseActivations, removeIdentities, sinkTransposes };
