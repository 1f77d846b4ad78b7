// Small graphs built by hand (deterministic weights) for engine tests that need no fixtures.
import type { Graph, ModelGraph, Node, Tensor } from '../../src-main/graph/model-graph';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function randomData(n: number, seed: number, amplitude = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 * amplitude);
}

export class GraphBuilder {
  readonly graph: Graph = { name: 'main', tensors: new Map(), nodes: [], inputs: [], outputs: [] };
  private seed = 1;
  input(name: string, shape: number[]): string {
    this.graph.tensors.set(name, { name, dtype: 'float32', shape });
    this.graph.inputs.push(name);
    return name;
  }
  constant(name: string, shape: number[], data?: Float32Array | Int32Array): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const t: Tensor = data instanceof Int32Array
      ? { name, dtype: 'int32', shape, data }
      : { name, dtype: 'float32', shape, data: data ?? randomData(n, this.seed++, 0.5) };
    this.graph.tensors.set(name, t);
    return name;
  }
  node(op: Node['op'], inputs: (string | null)[], output: string, shape: number[], options: Record<string, unknown> = {}): string {
    this.graph.tensors.set(output, { name: output, dtype: 'float32', shape });
    this.graph.nodes.push({ name: output, op, inputs, outputs: [output], options } as Node);
    return output;
  }
  output(name: string): void {
    this.graph.outputs.push(name);
  }
  model(): ModelGraph {
    return { format: 'test', description: 'hand-built', graphs: [this.graph], signatures: [], metadata: {}, unsupported: [] };
  }
}

const conv = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'RELU' };

/** conv → EXP (no integer kernel) → concat with conv → maxpool → reshape → fc → softmax. */
export function islandModel(): ModelGraph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 8, 8, 3]);
  const c = b.node('CONV_2D', [x, b.constant('w', [4, 3, 3, 3]), b.constant('b', [4])], 'conv', [1, 8, 8, 4], conv);
  const e = b.node('EXP', [c], 'exp', [1, 8, 8, 4]);
  const cat = b.node('CONCATENATION', [c, e], 'cat', [1, 8, 8, 8], { axis: 3, fusedActivation: 'NONE' });
  const p = b.node('MAX_POOL_2D', [cat], 'pool', [1, 4, 4, 8], { padding: 'VALID', strideH: 2, strideW: 2, filterH: 2, filterW: 2, fusedActivation: 'NONE' });
  const r = b.node('RESHAPE', [p, b.constant('shape', [2], Int32Array.of(1, 128))], 'flat', [1, 128], { newShape: [1, 128] });
  const f = b.node('FULLY_CONNECTED', [r, b.constant('fw', [10, 128]), b.constant('fb', [10])], 'logits', [1, 10], { fusedActivation: 'NONE', keepNumDims: false });
  b.output(b.node('SOFTMAX', [f], 'probs', [1, 10], { beta: 1 }));
  return b.model();
}
