// Opens a model for the Graph view: the source graph as imported, or the converted graph (the
// float conversion passes: BatchNorm folded, activations fused), which is what a .tflite written
// from it holds. A .tflite file is read as it is (its graph is already the converted one).
// The view asks for both graphs of one file at once (two panes, the layer table's toggle), so the
// last few imports are kept, keyed by the file's path, size and mtime: a TF.js graph model of
// ~300 ops takes seconds to import and is read once.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { oneLine } from '../errors';
import { openModel } from '../formats/registry';
import type { ModelGraph } from '../graph/model-graph';
import { runFloatPasses } from '../graph/passes/index';
import { cloneModel } from '../quantize/clone';
import { buildGraphView } from './build';
import type { GraphStage, GraphView } from './types';

export interface GraphViewRequest {
  path: string;
  companions?: string[];
  stage?: GraphStage;
}

type Open = typeof openModel;
const KEEP = 4;
const imports = new Map<string, Promise<ModelGraph>>();

async function fileKey(path: string, companions: string[]): Promise<string> {
  const parts = await Promise.all(
    [path, ...companions].map(async (p) => {
      const s = await stat(p).catch(() => null);
      return `${p}:${s?.size ?? '-'}:${s?.mtimeMs ?? '-'}`;
    }),
  );
  return parts.join('|');
}

/** The imported model, shared by requests for the same unchanged files (never mutated: passes run on a deep copy). */
async function imported(path: string, companions: string[] | undefined, open: Open): Promise<ModelGraph> {
  const key = await fileKey(path, companions ?? []);
  let pending = imports.get(key);
  if (!pending) {
    pending = open({ path, ...(companions ? { companions } : {}) }, { collectUnsupported: true });
    imports.set(key, pending);
    // A failed import is not kept (the user may fix the file); old entries go first.
    pending.catch(() => imports.delete(key));
    while (imports.size > KEEP) imports.delete(imports.keys().next().value!);
  }
  return pending;
}

export async function openGraphView({ path, companions, stage = 'converted' }: GraphViewRequest, open: Open = openModel): Promise<GraphView> {
  const model = await imported(path, companions, open);
  if (stage === 'source' || model.format === 'tflite') return buildGraphView(path, model, model.format === 'tflite' ? 'converted' : 'source');
  if (model.unsupported.length > 0) {
    return buildGraphView(path, model, 'source', `${basename(path)} has unsupported layers, so it has no converted graph; this is the graph as imported.`);
  }
  const converted = cloneModel(model);
  // Some passes write folded values into the constants they own: give the copy its own arrays.
  for (const graph of converted.graphs) for (const t of graph.tensors.values()) if (t.data) t.data = t.data.slice();
  try {
    runFloatPasses(converted);
  } catch (error) {
    // The source graph is still worth showing; say why it is not the converted one.
    return buildGraphView(path, model, 'source', `The conversion passes failed on ${basename(path)} (${oneLine(error)}); this is the graph as imported.`);
  }
  return buildGraphView(path, converted, 'converted');
}
