// Opens a model for the Graph view: the source graph as imported, or the converted graph (the
// float conversion passes: BatchNorm folded, activations fused), which is what a .tflite written
// from it holds. A .tflite file is read as it is (its graph is already the converted one).
// In the app this runs in a worker thread per request (app/tasks.ts), like models.inspect.
import { basename } from 'node:path';
import { oneLine } from '../errors';
import { openModel } from '../formats/registry';
import { runFloatPasses } from '../graph/passes/index';
import { buildGraphView } from './build';
import type { GraphStage, GraphView } from './types';

export interface GraphViewRequest {
  path: string;
  companions?: string[];
  stage?: GraphStage;
}

export async function openGraphView({ path, companions, stage = 'converted' }: GraphViewRequest, open = openModel): Promise<GraphView> {
  const source = { path, ...(companions ? { companions } : {}) };
  const model = await open(source, { collectUnsupported: true });
  if (stage === 'source' || model.format === 'tflite') return buildGraphView(path, model, model.format === 'tflite' ? 'converted' : 'source');
  if (model.unsupported.length > 0) {
    return buildGraphView(path, model, 'source', `${basename(path)} has unsupported layers, so it has no converted graph; this is the graph as imported.`);
  }
  try {
    runFloatPasses(model);
  } catch (error) {
    // The source graph is still worth showing; say why it is not the converted one.
    const fresh = await open(source, { collectUnsupported: true });
    return buildGraphView(path, fresh, 'source', `The conversion passes failed on ${basename(path)} (${oneLine(error)}); this is the graph as imported.`);
  }
  return buildGraphView(path, model, 'converted');
}
