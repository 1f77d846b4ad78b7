// UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's 24-input layout, gates i, f, c, o; optional CIFG,
// peepholes, projection and layer norm) and UNIDIRECTIONAL_SEQUENCE_RNN. State starts from the
// variable tensors' initial values on every run, as a fresh TFLite interpreter does.
import type { Tensor2D } from '@tensorflow/tfjs';
import { fused, type KernelTable, type OpContext, type TfTensor } from './context';

const enum L {
  Input = 0,
  InputToInput = 1, InputToForget = 2, InputToCell = 3, InputToOutput = 4,
  RecToInput = 5, RecToForget = 6, RecToCell = 7, RecToOutput = 8,
  CellToInput = 9, CellToForget = 10, CellToOutput = 11,
  InputBias = 12, ForgetBias = 13, CellBias = 14, OutputBias = 15,
  Projection = 16, ProjectionBias = 17,
  OutputState = 18, CellState = 19,
  NormInput = 20, NormForget = 21, NormCell = 22, NormOutput = 23,
}

function opt(ctx: OpContext, node: { inputs: (string | null)[] }, i: number): TfTensor | undefined {
  return i < node.inputs.length ? ctx.optionalInput(i) : undefined;
}

export const recurrentKernels: KernelTable = {
  UNIDIRECTIONAL_SEQUENCE_LSTM(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    let x = ctx.input(L.Input);
    if (!o.timeMajor) x = tf.transpose(x, [1, 0, 2]); // → [time, batch, in]
    const steps = tf.unstack(x, 0) as Tensor2D[];
    const w = (i: number) => opt(ctx, node, i) as Tensor2D | undefined;
    const cifg = w(L.InputToInput) === undefined;
    const gate = (inW: number, recW: number, peep: number, norm: number, bias: number, xt: Tensor2D, h: Tensor2D, c: TfTensor) => {
      let z = tf.add(tf.matMul(xt, w(inW)!, false, true), tf.matMul(h, w(recW)!, false, true));
      const p = opt(ctx, node, peep);
      if (p) z = tf.add(z, tf.mul(p, c));
      const n = opt(ctx, node, norm);
      if (n) {
        const { mean, variance } = tf.moments(z, -1, true);
        z = tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-8))), n);
      }
      const b = opt(ctx, node, bias);
      return b ? tf.add(z, b) : z;
    };
    const act = (t: TfTensor) => fused(tf, t, o.fusedActivation, node);
    const clip = (t: TfTensor, limit: number) => (limit > 0 ? tf.clipByValue(t, -limit, limit) : t);
    let h = ctx.input(L.OutputState) as Tensor2D;
    let c: TfTensor = ctx.input(L.CellState);
    const outputs: TfTensor[] = [];
    for (const xt of steps) {
      const f = tf.sigmoid(gate(L.InputToForget, L.RecToForget, L.CellToForget, L.NormForget, L.ForgetBias, xt, h, c));
      const i = cifg ? tf.sub(1, f) : tf.sigmoid(gate(L.InputToInput, L.RecToInput, L.CellToInput, L.NormInput, L.InputBias, xt, h, c));
      const g = act(gate(L.InputToCell, L.RecToCell, -1, L.NormCell, L.CellBias, xt, h, c));
      c = clip(tf.add(tf.mul(f, c), tf.mul(i, g)), o.cellClip);
      const og = tf.sigmoid(gate(L.InputToOutput, L.RecToOutput, L.CellToOutput, L.NormOutput, L.OutputBias, xt, h, c));
      let out: TfTensor = tf.mul(og, act(c));
      const proj = w(L.Projection);
      if (proj) {
        out = tf.matMul(out as Tensor2D, proj, false, true);
        const pb = opt(ctx, node, L.ProjectionBias);
        if (pb) out = tf.add(out, pb);
        out = clip(out, o.projClip);
      }
      h = out as Tensor2D;
      outputs.push(out);
    }
    const y = tf.stack(outputs, 0); // [time, batch, out]
    return o.timeMajor ? y : tf.transpose(y, [1, 0, 2]);
  },

  UNIDIRECTIONAL_SEQUENCE_RNN(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    let x = ctx.input(0);
    if (!o.timeMajor) x = tf.transpose(x, [1, 0, 2]);
    const wIn = ctx.input(1) as Tensor2D;
    const wRec = ctx.input(2) as Tensor2D;
    const bias = ctx.optionalInput(3);
    let h = ctx.input(4) as Tensor2D;
    const outputs: TfTensor[] = [];
    for (const xt of tf.unstack(x, 0) as Tensor2D[]) {
      let z = tf.add(tf.matMul(xt, wIn, false, true), tf.matMul(h, wRec, false, true));
      if (bias) z = tf.add(z, bias);
      h = fused(tf, z, o.fusedActivation, node) as Tensor2D;
      outputs.push(h);
    }
    const y = tf.stack(outputs, 0);
    return o.timeMajor ? y : tf.transpose(y, [1, 0, 2]);
  },
};
