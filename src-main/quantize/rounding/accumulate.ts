// The statistics error-compensated rounding solves over: per layer (and per depthwise channel)
// H = Σ x·xᵀ over the input patches the layer really receives, and, where those differ from
// the float model's, D = Σ x·(x_float − x)ᵀ. Conv / FC products run on the tfjs backend.
import { CancelledError } from '../../errors';
import type { GraphExecutor, GraphInputs } from '../../graph/execute';
import type { Tf } from '../../graph/tfjs-backend';
import { addDepthwiseProducts, addTransposedProduct, mirrorLower, patchMatrix } from './gram';
import type { CompensableLayer } from './layer-inputs';

/**
 * Output positions used per sample and layer, beyond which a fixed hashed subset is taken: up to
 * 1024 for conv / FC (a 224×224 layer's 12544 positions of one image add little over that), and
 * 8 per patch element (at least 64) for depthwise layers, whose per-channel H are small.
 */
const POSITIONS_PER_PATCH_ELEMENT = 8;
const MIN_POSITIONS_PER_SAMPLE = 64;
const MAX_POSITIONS_PER_SAMPLE = 1024;

export interface Accumulators {
  h: Float64Array[];
  /** Σ x_q·(x_f − x_q)ᵀ per group; absent while the layer's inputs are still exact. */
  d: (Float64Array | undefined)[];
}

const newAccumulators = (layer: CompensableLayer): Accumulators => {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  return { h: Array.from({ length: layer.groups }, () => new Float64Array(k * k)), d: new Array(layer.groups).fill(undefined) };
};

/** Adds one sample's patches: H += x·xᵀ, and D += x·(f − x)ᵀ where the float input f differs. */
function addSample(tf: Tf, layer: CompensableLayer, acc: Accumulators, seen: Float32Array, exact: Float32Array, shape: readonly number[]): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  // Depthwise layers sum one small H per channel in plain loops: ~8 patches per H entry will do.
  // Conv / FC products run on the backend: keep up to the cap.
  const wanted = layer.groups > 1 ? Math.max(MIN_POSITIONS_PER_SAMPLE, POSITIONS_PER_PATCH_ELEMENT * k) : MAX_POSITIONS_PER_SAMPLE;
  const thin = Math.max(1, Math.round(layer.positions(shape) / wanted));
  let differs = false;
  if (exact !== seen) for (let i = 0; i < exact.length && !differs; i++) differs = exact[i] !== seen[i];
  if (layer.groups > 1) {
    addDepthwiseProducts(layer, seen, differs ? exact : undefined, shape, thin, acc.h, acc.d);
    return;
  }
  const x = patchMatrix(layer, seen, shape, thin);
  addTransposedProduct(tf, x.data, undefined, x.rows, k, acc.h[0]!);
  if (differs) {
    const f = patchMatrix(layer, exact, shape, thin);
    for (let i = 0; i < f.data.length; i++) f.data[i] = f.data[i]! - x.data[i]!;
    addTransposedProduct(tf, x.data, f.data, x.rows, k, (acc.d[0] ??= new Float64Array(k * k)));
  }
}

/** What one pass runs: the two executors and, per sample, their inputs. */
export interface PassFeed {
  /** The float model (or its part after a checkpoint). */
  reference: GraphExecutor;
  /** The graph as it now runs (or its part after a checkpoint); absent: the reference itself. */
  current: GraphExecutor | undefined;
  /** Per sample, the inputs of `reference` and of `current` (equal when both start at the graph inputs). */
  samples: () => AsyncIterable<{ reference: GraphInputs; current: GraphInputs }>;
  /** Tensors to keep per sample from both executors (the next checkpoint). */
  capture?: string[];
}

export interface Captured {
  reference: Float32Array[][];
  current: Float32Array[][];
}

/**
 * One pass over the samples for a block of layers: each layer's input from the graph as it now
 * runs gives H, and where it differs from the float model's, D.
 */
export async function accumulate(
  tf: Tf,
  layers: CompensableLayer[],
  feed: PassFeed,
  signal: AbortSignal | undefined,
): Promise<{ accs: Accumulators[]; count: number; captured: Captured | undefined }> {
  const inputs = [...new Set(layers.map((l) => l.node.inputs[0]!))];
  const capture = feed.capture ?? [];
  const outputs = [...inputs, ...capture];
  const accs = layers.map(newAccumulators);
  const captured: Captured | undefined = capture.length ? { reference: [], current: [] } : undefined;
  let count = 0;
  for await (const sample of feed.samples()) {
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
    const exact = await feed.reference.run(sample.reference, { outputs });
    const shapes = feed.reference.lastShapes;
    const seen = feed.current ? await feed.current.run(sample.current, { outputs }) : exact;
    layers.forEach((layer, i) => {
      const at = inputs.indexOf(layer.node.inputs[0]!);
      addSample(tf, layer, accs[i]!, seen[at]!, exact[at]!, shapes[at]!);
    });
    captured?.reference.push(exact.slice(inputs.length));
    captured?.current.push(seen.slice(inputs.length));
    count++;
  }
  layers.forEach((layer, i) => {
    if (layer.groups > 1) for (const h of accs[i]!.h) mirrorLower(h, layer.fanIn + (layer.bias ? 1 : 0));
  });
  return { accs, count, captured };
}
