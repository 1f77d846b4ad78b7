// An interpreter of the model graph IR on TensorFlow.js with TFLite builtin semantics (NHWC).
// Used to calibrate (observe every intermediate float tensor), to check passes and to compare
// per layer. Values are real numbers: constants are decoded (float16, int8·scale) on load, and
// tensors the IR declares as quantized are fake-quantized, so quantized graphs are simulated.
import { CancelledError, InputError } from '../errors';
import { initTfjs, type Tf } from './tfjs-backend';
import { elementCount, getTensor, type Graph, type ModelGraph, type Node, type Tensor } from './model-graph';
import type { OpType } from './ops';
import { constantAsFloat, constantAsInts, isIndexTensor } from './execute/constants';
import { ExecuteUnsupportedError, type Kernel, type KernelTable, type OpContext, type TfTensor } from './execute/context';
import { elementwiseKernels } from './execute/elementwise';
import { indexSpaceKernels } from './execute/index-space';
import { nnKernels } from './execute/nn';
import { fakeQuantize, quantKernels } from './execute/quant';
import { recurrentKernels } from './execute/recurrent';
import { reduceResizeKernels } from './execute/reduce-resize';
import { tensorKernels } from './execute/tensor-ops';
import { tensorRangeReader } from './execute/heap-kernels';

export { ExecuteUnsupportedError };
export type { TfTensor };

export class ExecuteInputError extends InputError {
  override name = 'ExecuteInputError';
}

const KERNELS: KernelTable = Object.freeze({
  ...nnKernels,
  ...elementwiseKernels,
  ...tensorKernels,
  ...indexSpaceKernels,
  ...reduceResizeKernels,
  ...recurrentKernels,
  ...quantKernels,
});

export type GraphInputs = Float32Array[] | Record<string, Float32Array>;

export interface ExecuteOptions {
  /** Called for every float tensor the run produces, graph inputs included, in execution order. */
  observe?: (tensorName: string, values: Float32Array) => void;
  /**
   * Cheaper alternative to `observe` when only the range is needed: min and max of every float
   * tensor (graph inputs included), reduced on the backend so values are not copied out.
   */
  observeRange?: (tensorName: string, min: number, max: number) => void;
  /** Tensor names to return instead of the graph outputs (e.g. an intermediate layer). */
  outputs?: string[];
  /**
   * Tensors handed to `take` while they are live on the backend, as they are computed (graph
   * inputs included): summing them there costs no copy out. `take` must neither dispose nor keep
   * the tensor it is given (tf.add into its own tensors, say). A run that does not compute every
   * tapped tensor fails (ExecuteInputError).
   */
  tap?: { names: readonly string[]; take: (name: string, value: TfTensor) => void };
  signal?: AbortSignal;
}

export interface GraphExecutor {
  readonly graph: Graph;
  /** One forward pass; returns the requested tensors' values as float32 (row-major). */
  run(inputs: GraphInputs, options?: ExecuteOptions): Promise<Float32Array[]>;
  /** The concrete shapes of the last run's returned tensors. */
  readonly lastShapes: number[][];
  /** Releases the cached constants. */
  dispose(): void;
}

/** Ops the interpreter can run (for inspect / the UI). */
export function executableOps(): OpType[] {
  return Object.keys(KERNELS) as OpType[];
}

function toGraph(model: ModelGraph | Graph): Graph {
  return 'graphs' in model ? model.graphs[0]! : model;
}

/** Resolves -1 dims from the data length; throws naming the input when it cannot fit. */
function concreteShape(t: Tensor, length: number): number[] {
  const shape = t.shape.length ? [...t.shape] : [length];
  const dynamic = shape.filter((d) => d < 0).length;
  const known = shape.reduce((n, d) => (d > 0 ? n * d : n), 1);
  if (dynamic === 0 && known === length) return shape;
  // A fixed batch of 1 accepts a batch of N (same per-sample shape).
  if (dynamic === 0 && shape[0] === 1 && length > 0 && length % known === 0) return [length / known, ...shape.slice(1)];
  if (dynamic === 1 && length % known === 0) return shape.map((d) => (d < 0 ? length / known : d));
  throw new ExecuteInputError(`Input '${t.name}' expects shape [${t.shape.join(',')}] (${elementCount(t.shape)} values) but got ${length} values; pass data of that shape.`);
}

function orderedInputs(graph: Graph, inputs: GraphInputs): Float32Array[] {
  if (Array.isArray(inputs)) {
    if (inputs.length !== graph.inputs.length) throw new ExecuteInputError(`The graph has ${graph.inputs.length} input(s) (${graph.inputs.join(', ')}) but ${inputs.length} were given.`);
    return inputs;
  }
  return graph.inputs.map((name) => {
    const value = inputs[name];
    if (!value) throw new ExecuteInputError(`Missing value for graph input '${name}' (given: ${Object.keys(inputs).join(', ') || 'none'}).`);
    return value;
  });
}

/**
 * Backend copies of constants, keyed by the Tensor object, so that several executors over graphs
 * built from the same tensors (the debugger's per-layer variants) upload each weight once.
 */
export class ConstantCache {
  readonly values = new Map<Tensor, TfTensor>();
  readonly derived = new Map<Tensor, Map<string, TfTensor>>();
  dispose(): void {
    for (const value of this.values.values()) value.dispose();
    for (const tags of this.derived.values()) for (const value of tags.values()) value.dispose();
    this.values.clear();
    this.derived.clear();
  }
}

/**
 * Prepares a graph for repeated runs (constants decoded once and kept on the backend). A shared
 * `cache` outlives the executor: its owner disposes it; otherwise `dispose()` frees the constants.
 */
export async function createExecutor(model: ModelGraph | Graph, tfjs: () => Promise<Tf> = initTfjs, cache?: ConstantCache): Promise<GraphExecutor> {
  const tf = await tfjs();
  const graph = toGraph(model);
  for (const node of graph.nodes) {
    if (!KERNELS[node.op]) {
      const what = node.op === 'CUSTOM' ? `custom op '${node.customCode ?? '?'}'` : node.op === 'OTHER' ? `op ${node.builtin ?? 'OTHER'}` : `op ${node.op}`;
      throw new ExecuteUnsupportedError(`Node '${node.name}' uses ${what}, which the graph interpreter cannot run.`);
    }
  }
  const ownCache = cache ?? new ConstantCache();
  const cached = new Set<string>();
  const producers = new Set(graph.nodes.flatMap((n) => n.outputs));
  const useCounts = new Map<string, number>();
  for (const node of graph.nodes) for (const i of node.inputs) if (i !== null) useCounts.set(i, (useCounts.get(i) ?? 0) + 1);
  let lastShapes: number[][] = [];

  function constant(t: Tensor): TfTensor {
    cached.add(t.name);
    let value = ownCache.values.get(t);
    if (!value) {
      const shape = t.shape.map((d) => Math.max(d, 1));
      if (t.data) value = isIndexTensor(t) ? tf.tensor(constantAsInts(t), shape, 'int32') : tf.tensor(constantAsFloat(t), shape, 'float32');
      else value = tf.zeros(shape, isIndexTensor(t) ? 'int32' : 'float32'); // variable state with no initial data
      tf.keep(value);
      ownCache.values.set(t, value);
    }
    return value;
  }

  async function run(inputs: GraphInputs, options: ExecuteOptions = {}): Promise<Float32Array[]> {
    const wanted = options.outputs ?? graph.outputs;
    for (const name of wanted) getTensor(graph, name);
    const values = new Map<string, TfTensor>();
    const remaining = new Map(useCounts);
    const keep = new Set(wanted);
    const observe = options.observe;
    const observeRange = options.observeRange;
    // One pass over the backend's memory instead of tf.min + tf.max (wasm; the same values).
    const oneRead = observeRange && tensorRangeReader(tf);
    /** The tapped tensors this run has not computed yet. */
    const untapped = new Set(options.tap?.names ?? []);
    const report = async (name: string, value: TfTensor): Promise<void> => {
      if (untapped.delete(name)) options.tap!.take(name, value);
      if (value.dtype !== 'float32') return;
      if (observe) observe(name, (await value.data()) as Float32Array);
      if (observeRange && oneRead && value.size > 0) {
        const { min, max } = oneRead(value);
        observeRange(name, min, max);
      } else if (observeRange) {
        const range = tf.tidy(() => tf.stack([tf.min(value), tf.max(value)]));
        const [min, max] = (await range.data()) as Float32Array;
        range.dispose();
        observeRange(name, min!, max!);
      }
    };
    try {
      const data = orderedInputs(graph, inputs);
      for (const [k, name] of graph.inputs.entries()) {
        const t = getTensor(graph, name);
        const array = data[k]!;
        const shape = concreteShape(t, array.length);
        const raw = isIndexTensor(t) ? tf.tensor(Int32Array.from(array), shape, 'int32') : tf.tensor(array, shape, 'float32');
        const value = t.dtype === 'float32' ? raw : tf.tidy(() => fakeQuantize(tf, raw, t));
        if (value !== raw) raw.dispose();
        values.set(name, value);
        await report(name, value);
      }
      const explicit = options.outputs !== undefined && !observe && !observeRange;
      for (const node of graph.nodes) {
        if (options.signal?.aborted) throw new CancelledError();
        // Asked for given tensors only (no observers): stop once they and the tapped ones are computed.
        if (explicit && untapped.size === 0 && wanted.every((name) => values.has(name) || cached.has(name))) break;
        const outs = runNode(node, values);
        for (const [k, name] of node.outputs.entries()) {
          const value = outs[k];
          if (!value) throw new ExecuteUnsupportedError(`Node '${node.name}' (${node.op}) produced ${outs.length} outputs, expected ${node.outputs.length}.`);
          values.set(name, value);
          await report(name, value);
        }
        for (const extra of outs.slice(node.outputs.length)) extra.dispose();
        for (const input of node.inputs) {
          if (input === null) continue;
          const left = (remaining.get(input) ?? 1) - 1;
          remaining.set(input, left);
          const value = values.get(input);
          if (left <= 0 && value && !keep.has(input) && !cached.has(input)) {
            value.dispose();
            values.delete(input);
          }
        }
      }
      if (untapped.size) throw new ExecuteInputError(`Tensor${untapped.size > 1 ? 's' : ''} ${[...untapped].map((n) => `'${n}'`).join(', ')} to tap ${untapped.size > 1 ? 'are' : 'is'} not computed by the graph.`);
      const results: Float32Array[] = [];
      lastShapes = [];
      for (const name of wanted) {
        const value = values.get(name) ?? (graph.tensors.get(name)?.data ? constant(getTensor(graph, name)) : undefined);
        if (!value) throw new ExecuteInputError(`Tensor '${name}' is not computed by the graph.`);
        const array = await value.data();
        results.push(array instanceof Float32Array ? array : Float32Array.from(array as ArrayLike<number>));
        lastShapes.push([...value.shape]);
      }
      return results;
    } finally {
      for (const [name, value] of values) if (!cached.has(name)) value.dispose();
    }
  }

  function runNode(node: Node, values: Map<string, TfTensor>): TfTensor[] {
    const read = (i: number): TfTensor | undefined => {
      const name = node.inputs[i];
      if (name === null || name === undefined) return undefined;
      const live = values.get(name);
      if (live) return live;
      const t = getTensor(graph, name);
      if (t.data || t.isVariable) return constant(t);
      if (producers.has(name)) throw new ExecuteUnsupportedError(`Node '${node.name}' reads '${name}' before it is computed (graph not topologically ordered).`);
      throw new ExecuteUnsupportedError(`Node '${node.name}' reads '${name}', which no node produces and which is neither a graph input nor a constant.`);
    };
    const ctx: OpContext = {
      tf,
      graph,
      input(i) {
        const value = read(i);
        if (!value) throw new ExecuteUnsupportedError(`Node '${node.name}' (${node.op}) is missing required input ${i}.`);
        return value;
      },
      optionalInput: read,
      derived(i, tag, make) {
        const name = node.inputs[i];
        const t = name !== null && name !== undefined ? graph.tensors.get(name) : undefined;
        if (t?.data === undefined) return make(ctx.input(i));
        let tags = ownCache.derived.get(t);
        if (!tags) ownCache.derived.set(t, (tags = new Map()));
        let value = tags.get(tag);
        if (!value) {
          value = tf.keep(make(ctx.input(i)));
          tags.set(tag, value);
        }
        return value;
      },
      ints(i) {
        const name = node.inputs[i];
        const t = name ? graph.tensors.get(name) : undefined;
        if (t?.data) return constantAsInts(t);
        const value = ctx.input(i);
        return Array.from(value.dataSync(), (v) => Math.round(v));
      },
      inputTensor: (i) => {
        const name = node.inputs[i];
        return name ? graph.tensors.get(name) : undefined;
      },
      outputTensor: (i) => getTensor(graph, node.outputs[i]!),
    };
    const kernel = KERNELS[node.op] as Kernel<typeof node.op>;
    return tf.tidy(() => {
      const result = kernel(node as never, ctx);
      const list = Array.isArray(result) ? result : [result];
      const inputsSeen = new Set(node.inputs.map((n) => (n === null ? undefined : values.get(n) ?? ownCache.values.get(graph.tensors.get(n)!))));
      return list.map((value, k) => {
        const outName = node.outputs[k];
        const t = outName ? graph.tensors.get(outName) : undefined;
        const out = t && t.dtype !== 'float32' && value.dtype === 'float32' ? fakeQuantize(tf, value, t) : value;
        // An output must own its memory: inputs are disposed independently.
        return inputsSeen.has(out) ? tf.clone(out) : out;
      });
    });
  }

  return {
    graph,
    run,
    get lastShapes() {
      return lastShapes;
    },
    dispose() {
      if (!cache) ownCache.dispose();
    },
  };
}

/** One forward pass of `graph` (first subgraph of a ModelGraph) on the given input values. */
export async function executeGraph(model: ModelGraph | Graph, inputs: GraphInputs, options?: ExecuteOptions): Promise<Float32Array[]> {
  const executor = await createExecutor(model);
  try {
    return await executor.run(inputs, options);
  } finally {
    executor.dispose();
  }
}
