// Checkpoints for the layer-by-layer passes of error-compensated rounding with upstream
// correction. Once every layer before a point of the graph is final, the values that cross that
// point are the same in every later pass, so later passes can start there instead of at the
// graph inputs: the prefix is run once, not once per layer. A point is a cut after node i: the
// tensors made at or before node i (graph inputs included) that nodes after i still read.
import { elementCount, type Graph } from '../../graph/model-graph';

export interface Cut {
  /** Index of the last node before the cut. */
  after: number;
  /** The tensors crossing the cut (the subgraph's inputs). */
  tensors: string[];
  /** Their elements per sample, summed. */
  elements: number;
}

/**
 * The cut after each node (index i → cut after node i), or undefined where a crossing tensor is
 * not float32 with a static shape (but for the batch). A graph with variable tensors (state
 * carried between runs) has no cuts: replaying a cut would skip its state updates.
 */
export function graphCuts(graph: Graph): (Cut | undefined)[] {
  const tensors = [...graph.tensors.values()];
  if (tensors.some((t) => t.isVariable)) return graph.nodes.map(() => undefined);
  const lastRead = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of node.inputs) if (name !== null && !graph.tensors.get(name)?.data) lastRead.set(name, i);
  });
  const live = new Set(graph.inputs.filter((name) => lastRead.has(name)));
  return graph.nodes.map((node, i) => {
    for (const name of node.outputs) if ((lastRead.get(name) ?? -1) > i) live.add(name);
    for (const name of [...live]) if (lastRead.get(name)! <= i) live.delete(name);
    let elements = 0;
    for (const name of live) {
      const t = graph.tensors.get(name);
      // A dynamic batch dimension holds one sample here; any other dynamic size is unknown.
      if (!t || t.dtype !== 'float32' || t.shape.slice(1).some((d) => d < 0)) return undefined;
      elements += elementCount(t.shape.map((d) => Math.max(d, 1)));
    }
    return { after: i, tensors: [...live], elements };
  });
}

/** The part of `graph` after `cut`, reading the cut's tensors as its inputs. */
export function graphAfter(graph: Graph, cut: Cut): Graph {
  return { name: graph.name, tensors: graph.tensors, nodes: graph.nodes.slice(cut.after + 1), inputs: cut.tensors, outputs: graph.outputs };
}

/**
 * The latest cut strictly between node `from` and node `before` whose values for `samples`
 * samples, reference and current, fit in `budgetBytes`.
 */
export function latestCutBefore(cuts: (Cut | undefined)[], from: number, before: number, samples: number, budgetBytes: number): Cut | undefined {
  for (let i = before - 1; i > from; i--) {
    const cut = cuts[i];
    if (cut && cut.tensors.length > 0 && cut.elements * Float32Array.BYTES_PER_ELEMENT * 2 * samples <= budgetBytes) return cut;
  }
  return undefined;
}
