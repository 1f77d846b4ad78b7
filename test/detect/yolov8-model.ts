// A YOLOv8-nano-style detector authored as a Keras functional model (trained weights, 640×640×3,
// output [1, 84, 8400]: 4 box coordinates in pixels + 80 sigmoid scores), as ultralytics' TF
// export builds it: Conv-BN-SiLU (three spellings: Activation('swish'), tf.nn.silu,
// x * tf.sigmoid(x)), C2f with tf.split, SPPF, UpSampling2D + Concatenate neck, decoupled head,
// DFL (reshape → softmax over 16 bins → fixed 1×1 conv with weights 0..15), box decoding with
// slices (`d[..., :2]`, `d[..., -2:]`) and constants.
// The weights were trained on scenes of shapes (test/detect/shapes/README.md). A network with
// random weights is no model of how a trained detector quantizes: its scores sat at sigmoid(−4)
// everywhere, and noise grew through it 0.55 dB per BatchNorm (0.05 dB trained).
import { type Arg, KerasGraph, type KTensor, type Tf } from './keras-graph';
import type { WeightStream } from './shapes/trained-weights';

export const YOLO_SIZE = 640;
const CLASSES = 80;
const BINS = 16;
const STRIDES = [8, 16, 32] as const;
type Silu = 'swish' | 'nn.silu' | 'mul-sigmoid';

const slice = (start: number | null, stop: number | null): Arg => ({ class_name: '__slice__', config: { start, stop, step: null } });
const ellipsis: Arg = { class_name: '__ellipsis__' };

class YoloBuilder {
  private siluTurn = 0;

  constructor(
    readonly g: KerasGraph,
    private readonly trained: WeightStream,
  ) {}

  private get tf(): Tf {
    return this.g.tf;
  }

  /** SiLU in the three spellings Keras models use, in turn. */
  silu(x: KTensor): KTensor {
    const kind: Silu = (['swish', 'nn.silu', 'mul-sigmoid'] as const)[this.siluTurn++ % 3]!;
    const tf = this.tf;
    if (kind === 'swish') {
      const name = this.g.uniqueName('activation');
      return this.g.add('Activation', name, { activation: 'swish' }, x, {}, [], [x.shape], ([v]) => [tf.mul(v!, tf.sigmoid(v!))])[0]!;
    }
    if (kind === 'nn.silu') return this.g.op('nn.silu', x, {}, [x.shape], ([v]) => [tf.mul(v!, tf.sigmoid(v!))])[0]!;
    const s = this.g.op('math.sigmoid', x, {}, [x.shape], ([v]) => [tf.sigmoid(v!)])[0]!;
    return this.g.op('math.multiply', x, { y: s }, [x.shape], ([a, b]) => [tf.mul(a!, b!)])[0]!;
  }

  /** Conv2D (no bias) → BatchNormalization, trained. */
  convBn(x: KTensor, filters: number, k: number, s: number): KTensor {
    const tf = this.tf;
    const cin = x.shape[3]!;
    const [kernel, gamma, beta, m, v] = this.trained.next('conv-bn', [[k, k, cin, filters], [filters], [filters], [filters], [filters]]) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const [n, h, w] = x.shape as [number, number, number];
    const shape = [n, Math.ceil(h / s), Math.ceil(w / s), filters];
    const convName = this.g.uniqueName('conv2d');
    const config = { filters, kernel_size: [k, k], strides: [s, s], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: false };
    const kernelT = tf.tensor4d(kernel, [k, k, cin, filters]);
    const y = this.g.add('Conv2D', convName, config, x, {}, [{ name: 'kernel', shape: [k, k, cin, filters], data: kernel }], [shape], ([v]) => [tf.conv2d(v as never, kernelT, s, 'same')])[0]!;
    const eps = 1e-3;
    const bnName = this.g.uniqueName('batch_normalization');
    const bnConfig = { axis: -1, momentum: 0.97, epsilon: eps, center: true, scale: true };
    const weights = [
      { name: 'gamma', shape: [filters], data: gamma },
      { name: 'beta', shape: [filters], data: beta },
      { name: 'moving_mean', shape: [filters], data: m },
      { name: 'moving_variance', shape: [filters], data: v },
    ];
    const [gT, bT, mT, vT] = [gamma, beta, m, v].map((a) => tf.tensor1d(a));
    return this.g.add('BatchNormalization', bnName, bnConfig, y, {}, weights, [shape], ([t]) => [tf.batchNorm(t!, mT!, vT!, bT, gT, eps)])[0]!;
  }

  conv(x: KTensor, filters: number, k = 1, s = 1): KTensor {
    return this.silu(this.convBn(x, filters, k, s));
  }

  /** A plain Conv2D with bias (the head's last convs), trained. */
  convBias(x: KTensor, filters: number): KTensor {
    const tf = this.tf;
    const cin = x.shape[3]!;
    const [kernel, b] = this.trained.next('conv-bias', [[1, 1, cin, filters], [filters]]) as [Float32Array, Float32Array];
    const [kT, bT] = [tf.tensor4d(kernel, [1, 1, cin, filters]), tf.tensor1d(b)];
    const name = this.g.uniqueName('conv2d');
    const config = { filters, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: true };
    const weights = [
      { name: 'kernel', shape: [1, 1, cin, filters], data: kernel },
      { name: 'bias', shape: [filters], data: b },
    ];
    return this.g.add('Conv2D', name, config, x, {}, weights, [[...x.shape.slice(0, 3), filters]], ([v]) => [tf.add(tf.conv2d(v as never, kT, 1, 'valid'), bT)])[0]!;
  }

  concat(parts: KTensor[], viaOp: boolean): KTensor {
    const tf = this.tf;
    const shape = [...parts[0]!.shape.slice(0, -1), parts.reduce((n, p) => n + p.shape.at(-1)!, 0)];
    if (viaOp) return this.g.op('concat', parts, { axis: -1 }, [shape], (xs) => [tf.concat(xs, -1)])[0]!;
    return this.g.add('Concatenate', this.g.uniqueName('concatenate'), { axis: -1 }, parts, {}, [], [shape], (xs) => [tf.concat(xs, -1)])[0]!;
  }

  /** C2f: 1×1 conv, tf.split in two, n bottlenecks on the second half, concat of all, 1×1 conv. */
  c2f(x: KTensor, out: number, n: number, shortcut: boolean): KTensor {
    const tf = this.tf;
    const c = out / 2;
    const y = this.conv(x, 2 * c);
    const half = [...y.shape.slice(0, 3), c];
    const parts = this.g.op('split', y, { num_or_size_splits: 2, axis: -1 }, [half, half], ([v]) => tf.split(v!, 2, -1));
    let last = parts[1]!;
    const all = [...parts];
    for (let i = 0; i < n; i++) {
      const m = this.conv(this.conv(last, c, 3), c, 3);
      last = shortcut ? this.g.op('__operators__.add', last, { y: m }, [m.shape], ([a, b]) => [tf.add(a!, b!)])[0]! : m;
      all.push(last);
    }
    return this.conv(this.concat(all, true), out);
  }

  /** SPPF: 1×1 conv, three 5×5 stride-1 max-pools in a row, concat, 1×1 conv. */
  sppf(x: KTensor, out: number): KTensor {
    const tf = this.tf;
    const y = this.conv(x, x.shape[3]! / 2);
    const pools = [y];
    for (let i = 0; i < 3; i++) {
      const name = this.g.uniqueName('max_pooling2d');
      const config = { pool_size: [5, 5], strides: [1, 1], padding: 'same', data_format: 'channels_last' };
      pools.push(this.g.add('MaxPooling2D', name, config, pools.at(-1)!, {}, [], [y.shape], ([v]) => [tf.maxPool(v as never, 5, 1, 'same')])[0]!);
    }
    return this.conv(this.concat(pools, false), out);
  }

  upsample(x: KTensor): KTensor {
    const tf = this.tf;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const config = { size: [2, 2], data_format: 'channels_last', interpolation: 'nearest' };
    return this.g.add('UpSampling2D', this.g.uniqueName('up_sampling2d'), config, x, {}, [], [[n, 2 * h, 2 * w, c]], ([v]) => [tf.image.resizeNearestNeighbor(v as never, [2 * h, 2 * w])])[0]!;
  }

  /** tf.reshape through a TFOpLambda. */
  reshape(x: KTensor, shape: number[]): KTensor {
    const tf = this.tf;
    return this.g.op('reshape', x, { shape: [-1, ...shape.slice(1)] }, [shape], ([v]) => [tf.reshape(v!, [-1, ...shape.slice(1)])])[0]!;
  }

  op(fn: string, first: Arg, kwargs: Record<string, Arg>, shape: number[], run: (xs: import('@tensorflow/tfjs').Tensor[]) => import('@tensorflow/tfjs').Tensor): KTensor {
    return this.g.op(fn, first, kwargs, [shape], (xs) => [run(xs)])[0]!;
  }
}

/** Grid-cell centres (x, y) of every anchor point, in grid units, and each point's stride. */
function anchors(): { points: number[][]; strides: number[][] } {
  const points: number[][] = [];
  const strides: number[][] = [];
  for (const s of STRIDES) {
    const size = YOLO_SIZE / s;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        points.push([j + 0.5, i + 0.5]);
        strides.push([s]);
      }
    }
  }
  return { points, strides };
}

/** Builds the model with trained weights; `probe` is an image the layers' shapes are checked on. */
export function buildYolov8(tf: Tf, probe: import('@tensorflow/tfjs').Tensor, trained: WeightStream): KerasGraph {
  const g = new KerasGraph(tf);
  const b = new YoloBuilder(g, trained);
  const x = g.input('images', [1, YOLO_SIZE, YOLO_SIZE, 3], probe);
  // Backbone (nano: width 0.25, depth 0.33).
  let y = b.conv(x, 16, 3, 2);
  y = b.c2f(b.conv(y, 32, 3, 2), 32, 1, true);
  const p3 = b.c2f(b.conv(y, 64, 3, 2), 64, 2, true);
  const p4 = b.c2f(b.conv(p3, 128, 3, 2), 128, 2, true);
  const p5 = b.sppf(b.c2f(b.conv(p4, 256, 3, 2), 256, 1, true), 256);
  // Neck: top-down then bottom-up.
  const n4 = b.c2f(b.concat([b.upsample(p5), p4], false), 128, 1, false);
  const o3 = b.c2f(b.concat([b.upsample(n4), p3], false), 64, 1, false);
  const o4 = b.c2f(b.concat([b.conv(o3, 64, 3, 2), n4], false), 128, 1, false);
  const o5 = b.c2f(b.concat([b.conv(o4, 128, 3, 2), p5], false), 256, 1, false);
  // Decoupled head per level: box distributions (4 × 16 bins) and class logits.
  const boxes: KTensor[] = [];
  const logits: KTensor[] = [];
  [o3, o4, o5].forEach((level) => {
    const cells = level.shape[1]! * level.shape[2]!;
    const box = b.convBias(b.conv(b.conv(level, 64, 3), 64, 3), 4 * BINS);
    const cls = b.convBias(b.conv(b.conv(level, 80, 3), 80, 3), CLASSES);
    boxes.push(b.reshape(box, [1, cells, 4 * BINS]));
    logits.push(b.reshape(cls, [1, cells, CLASSES]));
  });
  const tfn = tf;
  const total = boxes.reduce((n, t) => n + t.shape[1]!, 0);
  const box = b.op('concat', boxes, { axis: 1 }, [1, total, 4 * BINS], (xs) => tfn.concat(xs, 1));
  const cls = b.op('concat', logits, { axis: 1 }, [1, total, CLASSES], (xs) => tfn.concat(xs, 1));
  // DFL: softmax over 16 bins, expectation by a fixed 1×1 conv with weights 0..15.
  const bins = b.reshape(box, [1, total, 4, BINS]);
  const soft = g.add('Softmax', g.uniqueName('softmax'), { axis: -1 }, bins, {}, [], [bins.shape], ([v]) => [tfn.softmax(v!)])[0]!;
  const dflWeights = Float32Array.from({ length: BINS }, (_, i) => i);
  const dflT = tf.tensor4d(dflWeights, [1, 1, BINS, 1]);
  const dflConfig = { filters: 1, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'linear', use_bias: false, trainable: false };
  const expect = g.add('Conv2D', g.uniqueName('dfl'), dflConfig, soft, {}, [{ name: 'kernel', shape: [1, 1, BINS, 1], data: dflWeights }], [[1, total, 4, 1]], ([v]) => [tfn.conv2d(v as never, dflT, 1, 'valid')])[0]!;
  const dist = b.reshape(expect, [1, total, 4]);
  // dist2bbox: x1y1 = anchor − lt, x2y2 = anchor + rb → centre and size, times the stride (pixels).
  const { points, strides } = anchors();
  const pointsT = tf.tensor2d(points);
  const stridesT = tf.tensor2d(strides);
  const half = [1, total, 2];
  const lt = b.op('__operators__.getitem', dist, { slice_spec: [ellipsis, slice(null, 2)] }, half, ([v]) => tfn.slice(v!, [0, 0, 0], [-1, total, 2]));
  const rb = b.op('__operators__.getitem', dist, { slice_spec: [ellipsis, slice(-2, null)] }, half, ([v]) => tfn.slice(v!, [0, 0, 2], [-1, total, 2]));
  const x1y1 = b.op('math.subtract', points, { y: lt }, half, ([v]) => tfn.sub(pointsT, v!));
  const x2y2 = b.op('__operators__.add', rb, { y: points }, half, ([v]) => tfn.add(v!, pointsT));
  const sum = b.op('__operators__.add', x1y1, { y: x2y2 }, half, ([p, q]) => tfn.add(p!, q!));
  const centre = b.op('math.multiply', sum, { y: 0.5 }, half, ([v]) => tfn.mul(v!, 0.5));
  const size = b.op('math.subtract', x2y2, { y: x1y1 }, half, ([p, q]) => tfn.sub(p!, q!));
  const cxcywh = b.op('concat', [centre, size], { axis: -1 }, [1, total, 4], (xs) => tfn.concat(xs, -1));
  const pixels = b.op('math.multiply', cxcywh, { y: strides }, [1, total, 4], ([v]) => tfn.mul(v!, stridesT));
  const scores = b.op('math.sigmoid', cls, {}, [1, total, CLASSES], ([v]) => tfn.sigmoid(v!));
  const joined = b.op('concat', [pixels, scores], { axis: -1 }, [1, total, 4 + CLASSES], (xs) => tfn.concat(xs, -1));
  g.outputs = [b.op('transpose', joined, { perm: [0, 2, 1] }, [1, 4 + CLASSES, total], ([v]) => tfn.transpose(v!, [0, 2, 1]))];
  trained.finish();
  return g;
}

export interface BnSpread {
  name: string;
  /** Median over channels of the spread (std) of (y − beta) / gamma: 1 when the statistics fit. */
  spread: number;
  /** Mean over channels of |mean of (y − beta) / gamma|: 0 when the statistics fit. */
  centre: number;
}

/** How well each BatchNorm's statistics describe the images `x` (a batch), in build order. */
export function normalisedSpread(model: KerasGraph, x: import('@tensorflow/tfjs').Tensor): BnSpread[] {
  const tf = model.tf;
  return tf.tidy(() => {
    const values = model.trace(x);
    return model.layers
      .filter((l) => l.className === 'BatchNormalization')
      .map((l) => {
        const w = (name: string) => tf.tensor1d(l.weights.find((v) => v.name === name)!.data);
        const z = tf.div(tf.sub(values.get(`${l.name}:0`)!, w('beta')), w('gamma'));
        const { mean, variance } = tf.moments(z, [0, 1, 2]);
        const stds = Array.from(variance.dataSync(), Math.sqrt).sort((a, b) => a - b);
        const centres = Array.from(mean.dataSync(), Math.abs);
        return { name: l.name, spread: stds[stds.length >> 1]!, centre: centres.reduce((a, v) => a + v, 0) / centres.length };
      });
  });
}
