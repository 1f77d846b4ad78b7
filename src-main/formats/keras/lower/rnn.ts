// Recurrent layers. LSTM with sigmoid/tanh gates becomes UNIDIRECTIONAL_SEQUENCE_LSTM as the
// official converter emits it (weights split per gate, 24 inputs, variable state tensors,
// cell_clip 10). Other cells (GRU, SimpleRNN, LSTM with hard_sigmoid gates), and any LSTM
// when --unroll-rnn is given or the layer says unroll=True (Keras then traces one cell per step,
// and so does the official converter), are unrolled over time into FULLY_CONNECTED /
// elementwise ops: no variable tensors, so every runtime (LiteRT.js too) runs them, and every
// op has an integer kernel.
import type { Value } from '../builder';
import { emitActivation } from './activation';
import type { LowerContext } from './context';
import { transpose2d } from './dense';
import { KerasFormatError } from '../config';

interface RnnSpec {
  kind: 'LSTM' | 'GRU' | 'SimpleRNN';
  units: number;
  activation: string;
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
  /** Lower step by step even when a fused sequence op exists. */
  unroll: boolean;
}

function spec(ctx: LowerContext, kind: RnnSpec['kind']): RnnSpec {
  if (ctx.bool('stateful', false)) ctx.fail('stateful recurrent layers are not supported.');
  return {
    kind,
    units: ctx.num('units'),
    activation: ctx.activation(),
    recurrentActivation: kind === 'SimpleRNN' ? 'linear' : ctx.activation('recurrent_activation') === 'linear' ? 'sigmoid' : ctx.activation('recurrent_activation'),
    useBias: ctx.bool('use_bias', true),
    returnSequences: ctx.bool('return_sequences', false),
    returnState: ctx.bool('return_state', false),
    goBackwards: ctx.bool('go_backwards', false),
    resetAfter: kind === 'GRU' ? ctx.bool('reset_after', false) : false,
    unroll: ctx.unrollRnn || ctx.bool('unroll', false),
  };
}

const GATES = { LSTM: 4, GRU: 3, SimpleRNN: 1 } as const;

/** Columns [from, from + n) of a row-major [rows, cols] matrix, transposed to [n, rows]. */
function gateSlice(w: Float32Array, rows: number, cols: number, from: number, n: number): Float32Array {
  const out = new Float32Array(n * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) out[c * rows + r] = w[r * cols + from + c]!;
  return out;
}

function reverseTime(ctx: LowerContext, x: Value): Value {
  const axis = ctx.b.int32(ctx.t('ReverseV2/axis'), [1]);
  return ctx.b.op('REVERSE_V2', ctx.t('ReverseV2'), [x, axis], {}, x.shape);
}

function lastStep(ctx: LowerContext, seq: Value): Value {
  const [n, t, u] = seq.shape as [number, number, number];
  const b = ctx.b;
  return b.op(
    'STRIDED_SLICE',
    ctx.t('strided_slice'),
    [seq, b.int32(ctx.t('strided_slice/begin'), [0, t - 1, 0]), b.int32(ctx.t('strided_slice/end'), [n, t, u]), b.int32(ctx.t('strided_slice/strides'), [1, 1, 1])],
    { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 2, offset: false },
    [n, u],
  );
}

function fusedLstm(ctx: LowerContext, x: Value, s: RnnSpec): Value[] {
  const [n, t, inDim] = x.shape as [number, number, number];
  const u = s.units;
  const b = ctx.b;
  const kernel = ctx.weight(['kernel'], 0, [inDim, 4 * u]);
  const rec = ctx.weight(['recurrent_kernel'], 1, [u, 4 * u], 'small');
  const bias = s.useBias ? ctx.weight(['bias'], 2, [4 * u], 'zeros') : new Float32Array(4 * u);
  const gate = ['input', 'forget', 'cell', 'output'];
  const inW = gate.map((g, k) => b.constant(ctx.t(`${g}_kernel`), [u, inDim], gateSlice(kernel, inDim, 4 * u, k * u, u)));
  const recW = gate.map((g, k) => b.constant(ctx.t(`${g}_recurrent_kernel`), [u, u], gateSlice(rec, u, 4 * u, k * u, u)));
  const biases = gate.map((g, k) => b.constant(ctx.t(`${g}_bias`), [u], bias.slice(k * u, (k + 1) * u)));
  const h0 = b.variable(ctx.t('zeros'), [n, u]);
  const c0 = b.variable(ctx.t('zeros_1'), [n, u]);
  const input = s.goBackwards ? reverseTime(ctx, x) : x;
  const actName = s.activation === 'tanh' ? 'TANH' : s.activation === 'relu' ? 'RELU' : 'NONE';
  const seq = b.op(
    'UNIDIRECTIONAL_SEQUENCE_LSTM',
    ctx.t('lstm'),
    [input, ...inW, ...recW, null, null, null, ...biases, null, null, h0, c0, null, null, null, null],
    { fusedActivation: actName, cellClip: 10, projClip: 0, timeMajor: false, asymmetricQuantizeInputs: false },
    [n, t, u],
  );
  const out = s.returnSequences ? seq : lastStep(ctx, seq);
  if (s.returnState) ctx.fail('return_state=True on a fused LSTM is not supported.');
  return [out];
}

/**
 * LSTM gate columns reordered from Keras' (i, f, c, o) to (i, f, o, c): the three gates with the
 * recurrent activation become one slice, so each step applies that activation once, not 3×.
 */
function recurrentGatesFirst(w: Float32Array, rows: number, u: number): Float32Array {
  const out = new Float32Array(w.length);
  const source = [0, 1, 3, 2];
  for (let r = 0; r < rows; r++) {
    source.forEach((from, to) => out.set(w.subarray(r * 4 * u + from * u, r * 4 * u + (from + 1) * u), r * 4 * u + to * u));
  }
  return out;
}

/**
 * The cell unrolled over time. The input projection x·W + b is ONE FULLY_CONNECTED over all
 * steps before the loop; each step then adds h·U. go_backwards walks the steps in reverse
 * (outputs come in processing order, as in Keras). The state starts at zero, so LSTM and
 * SimpleRNN skip the first step's recurrent product instead of multiplying a zero constant
 * (which would also be a degenerate [0, 0] range for int8).
 */
/**
 * Most time steps unrolled: each step is a handful of ops, so 4096 steps is already a graph of
 * ~40,000 ops; a declared length beyond it is a damaged or hostile config, not a model to build.
 */
export const MAX_UNROLLED_STEPS = 4096;

function unrolled(ctx: LowerContext, x: Value, s: RnnSpec): Value[] {
  const [n, t, inDim] = x.shape as [number, number, number];
  if (t > MAX_UNROLLED_STEPS) {
    throw new KerasFormatError(`${s.kind} layer '${ctx.name}' would be unrolled over ${t} time steps, more than the ${MAX_UNROLLED_STEPS} a graph can hold; give the model a shorter input sequence.`);
  }
  const u = s.units;
  const g = GATES[s.kind];
  const b = ctx.b;
  const lstm = s.kind === 'LSTM';
  const ordered = (w: Float32Array, rows: number): Float32Array => (lstm ? recurrentGatesFirst(w, rows, u) : w);
  const kernel = ordered(ctx.weight(['kernel'], 0, [inDim, g * u]), inDim);
  const rec = ordered(ctx.weight(['recurrent_kernel'], 1, [u, g * u], 'small'), u);
  const biasShape = s.kind === 'GRU' && s.resetAfter ? [2, g * u] : [g * u];
  const bias = s.useBias ? ordered(ctx.weight(['bias'], 2, biasShape, 'zeros'), 1) : new Float32Array(biasShape.reduce((a, d) => a * d, 1));
  const inBias = bias.slice(0, g * u);
  const recBias = s.kind === 'GRU' && s.resetAfter ? bias.slice(g * u) : null;
  const wIn = b.constant(ctx.t('kernel'), [g * u, inDim], transpose2d(kernel, inDim, g * u));
  const bIn = b.constant(ctx.t('bias'), [g * u], inBias);
  const proj = b.op('FULLY_CONNECTED', ctx.t('input_projection'), [x, wIn, bIn], { fusedActivation: 'NONE', keepNumDims: true }, [n, t, g * u]);
  const steps = b.opMulti('UNPACK', Array.from({ length: t }, (_, i) => ctx.t(`unstack_${i}`)), [proj], { num: t, axis: 1 }, Array.from({ length: t }, () => [n, g * u]));
  if (s.goBackwards) steps.reverse();
  // GRU's first step still reads h (its update mixes h in), so it keeps a zero initial state.
  const zeros = s.kind === 'GRU' ? b.constant(ctx.t('zeros'), [n, u], new Float32Array(n * u)) : null;
  let h = zeros;
  let c: Value | null = null;
  const outs: Value[] = [];
  const act = (v: Value, a: string): Value => emitActivation(ctx, v, a);
  const add = (a: Value, c2: Value, name: string): Value => b.op('ADD', ctx.t(name), [a, c2], { fusedActivation: 'NONE' }, a.shape);
  const mul = (a: Value, c2: Value, name: string): Value => b.op('MUL', ctx.t(name), [a, c2], { fusedActivation: 'NONE' }, a.shape);
  const sub = (a: Value, c2: Value, name: string): Value => b.op('SUB', ctx.t(name), [a, c2], { fusedActivation: 'NONE' }, a.shape);
  const splitAxis = b.int32(ctx.t('split/axis'), [1], []);
  const split = (v: Value, parts: number, name: string): Value[] =>
    b.opMulti('SPLIT', Array.from({ length: parts }, (_, k) => ctx.t(`${name}_${k}`)), [splitAxis, v], { numSplits: parts }, Array.from({ length: parts }, () => [n, v.shape[1]! / parts]));
  const gateSizes = lstm ? b.int32(ctx.t('split/size_splits'), [3 * u, u]) : null;
  const recurrent = (state: Value, w: Value, bias: Value | null, units: number, name: string): Value =>
    b.op('FULLY_CONNECTED', ctx.t(name), [state, w, bias], { fusedActivation: 'NONE', keepNumDims: false }, [n, units]);
  const recAll = transpose2d(rec, u, g * u);
  const wRec = b.constant(ctx.t('recurrent_kernel'), [g * u, u], recAll);
  const bRec = recBias ? b.constant(ctx.t('recurrent_bias'), [g * u], recBias) : null;
  // GRU without reset_after applies the reset gate before the candidate's matmul.
  const wRecZr = s.kind === 'GRU' && !s.resetAfter ? b.constant(ctx.t('recurrent_kernel_zr'), [2 * u, u], gateSlice(rec, u, g * u, 0, 2 * u)) : null;
  const wRecH = s.kind === 'GRU' && !s.resetAfter ? b.constant(ctx.t('recurrent_kernel_h'), [u, u], gateSlice(rec, u, g * u, 2 * u, u)) : null;
  steps.forEach((xt, i) => {
    const p = `step_${i}`;
    if (s.kind === 'SimpleRNN') {
      h = act(h ? add(xt, recurrent(h, wRec, null, u, `${p}/MatMul`), `${p}/add`) : xt, s.activation);
    } else if (s.kind === 'LSTM') {
      const z = h ? add(xt, recurrent(h, wRec, null, g * u, `${p}/MatMul`), `${p}/add`) : xt;
      const [zGates, zCell] = b.opMulti('SPLIT_V', [ctx.t(`${p}/split`), ctx.t(`${p}/split_1`)], [z, gateSizes!, splitAxis], { numSplits: 2 }, [[n, 3 * u], [n, u]]) as [Value, Value];
      const [ig, fg, og] = split(act(zGates, s.recurrentActivation), 3, `${p}/gates`) as [Value, Value, Value];
      const fresh = mul(ig, act(zCell, s.activation), `${p}/mul_1`);
      c = c ? add(mul(fg, c, `${p}/mul`), fresh, `${p}/add_1`) : fresh;
      h = mul(og, act(c, s.activation), `${p}/mul_2`);
    } else {
      const hPrev = h!;
      const [xz, xr, xh] = split(xt, 3, `${p}/split_x`) as [Value, Value, Value];
      let z: Value;
      let r: Value;
      let cand: Value;
      if (s.resetAfter) {
        const hp = recurrent(hPrev, wRec, bRec, g * u, `${p}/MatMul`);
        const [hz, hr, hh] = split(hp, 3, `${p}/split_h`) as [Value, Value, Value];
        z = act(add(xz, hz, `${p}/add`), s.recurrentActivation);
        r = act(add(xr, hr, `${p}/add_1`), s.recurrentActivation);
        cand = act(add(xh, mul(r, hh, `${p}/mul`), `${p}/add_2`), s.activation);
      } else {
        const hp = recurrent(hPrev, wRecZr!, null, 2 * u, `${p}/MatMul`);
        const [hz, hr] = split(hp, 2, `${p}/split_h`) as [Value, Value];
        z = act(add(xz, hz, `${p}/add`), s.recurrentActivation);
        r = act(add(xr, hr, `${p}/add_1`), s.recurrentActivation);
        const rh = mul(r, hPrev, `${p}/mul`);
        const hh = recurrent(rh, wRecH!, null, u, `${p}/MatMul_1`);
        cand = act(add(xh, hh, `${p}/add_2`), s.activation);
      }
      // h = z * h + (1 - z) * cand = cand + z * (h - cand)
      h = add(cand, mul(z, sub(hPrev, cand, `${p}/sub`), `${p}/mul_1`), `${p}/add_3`);
    }
    outs.push(h!);
  });
  const result: Value[] = [];
  if (s.returnSequences) {
    result.push(b.op('PACK', ctx.t('stack'), outs, { valuesCount: t, axis: 1 }, [n, t, u]));
  } else {
    result.push(h!);
  }
  if (s.returnState) {
    result.push(h!);
    if (s.kind === 'LSTM') result.push(c!);
  }
  return result;
}

function lowerRnn(ctx: LowerContext, x: Value, s: RnnSpec): Value[] {
  if (x.shape.length !== 3) ctx.fail(`expects a 3-D input [batch, time, features], got [${x.shape.join(', ')}].`);
  if (x.shape[1]! < 1) ctx.fail('the time dimension is empty; pin it with --input-shape.');
  const fusable =
    s.kind === 'LSTM' && s.recurrentActivation === 'sigmoid' && (s.activation === 'tanh' || s.activation === 'relu') && !s.returnState && !s.unroll;
  return fusable ? fusedLstm(ctx, x, s) : unrolled(ctx, x, s);
}

export function lowerLSTM(ctx: LowerContext, inputs: Value[]): Value[] {
  return lowerRnn(ctx, ctx.input(inputs), spec(ctx, 'LSTM'));
}

export function lowerGRU(ctx: LowerContext, inputs: Value[]): Value[] {
  return lowerRnn(ctx, ctx.input(inputs), spec(ctx, 'GRU'));
}

export function lowerSimpleRNN(ctx: LowerContext, inputs: Value[]): Value[] {
  return lowerRnn(ctx, ctx.input(inputs), spec(ctx, 'SimpleRNN'));
}

export function lowerBidirectional(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const inner = ctx.call.config['layer'] as { class_name?: string; config?: Record<string, unknown> } | undefined;
  const kind = inner?.class_name;
  if (kind !== 'LSTM' && kind !== 'GRU' && kind !== 'SimpleRNN') ctx.fail(`Bidirectional over '${String(kind)}' is not supported.`);
  const half = ctx.weights.length / 2;
  const sub = (dir: 'forward' | 'backward', goBack: boolean): LowerContext => {
    const weights = ctx.weights.length ? (dir === 'forward' ? ctx.weights.slice(0, half) : ctx.weights.slice(half)) : [];
    const config = { ...(inner!.config ?? {}), go_backwards: goBack, name: `${ctx.name}/${dir}_${String(inner!.config?.['name'] ?? kind)}` };
    return ctx.derive({ ...ctx.call, name: String(config.name), config }, weights);
  };
  const fctx = sub('forward', false);
  const bctx = sub('backward', true);
  const f = lowerRnn(fctx, x, spec(fctx, kind))[0]!;
  let bk = lowerRnn(bctx, x, spec(bctx, kind))[0]!;
  const seqs = Boolean(inner!.config?.['return_sequences']);
  if (seqs) bk = reverseTime(bctx, bk);
  const mode = ctx.str('merge_mode', 'concat');
  const b = ctx.b;
  if (mode === 'concat') {
    const axis = f.shape.length - 1;
    const out = [...f.shape];
    out[axis] = f.shape[axis]! + bk.shape[axis]!;
    return [b.op('CONCATENATION', ctx.t('concat'), [f, bk], { axis, fusedActivation: 'NONE' }, out)];
  }
  if (mode === 'sum') return [b.op('ADD', ctx.t('add'), [f, bk], { fusedActivation: 'NONE' }, f.shape)];
  if (mode === 'mul') return [b.op('MUL', ctx.t('mul'), [f, bk], { fusedActivation: 'NONE' }, f.shape)];
  if (mode === 'ave') {
    const s = b.op('ADD', ctx.t('add'), [f, bk], { fusedActivation: 'NONE' }, f.shape);
    return [b.op('MUL', ctx.t('truediv'), [s, b.scalar(ctx.t('half'), 0.5)], { fusedActivation: 'NONE' }, f.shape)];
  }
  return ctx.fail(`Bidirectional merge_mode '${mode}' is not supported.`);
}

