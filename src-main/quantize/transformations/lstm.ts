// UNIDIRECTIONAL_SEQUENCE_LSTM as the official converter quantizes it for the integer (8x8→16)
// kernel: int8 per-tensor symmetric gate weights, int32 gate bias with scale s_in·s_w(input→gate),
// int8 hidden state sharing the output params, int16 cell state with a power-of-two scale, and
// five operator intermediates (four float placeholders, the fifth carrying the hidden params).
import { addTensor, uniqueTensorName, type Graph, type Node, type QuantParams } from '../../graph/model-graph';
import { quantizeBias, quantizeWeightsSymmetric } from '../math';
import { activationOf } from '../params';
import type { ActivationType, QuantPlan, Statistics } from '../qtypes';
import { readerCounts, replaceConstantInput } from './constants';

export const LSTM = {
  input: 0,
  inputToGate: [1, 2, 3, 4],
  recurrentToGate: [5, 6, 7, 8],
  peephole: [9, 10, 11],
  gateBias: [12, 13, 14, 15],
  projection: 16,
  outputState: 18,
  cellState: 19,
  layerNorm: [20, 21, 22, 23],
} as const;

const present = (node: Node, i: number): boolean => (node.inputs[i] ?? null) !== null;

/** Why this LSTM cannot take the integer kernel path, or undefined when it can. */
export function lstmIntegerReason(graph: Graph, node: Node, activations: ActivationType): string | undefined {
  if (activations !== 'int8') return 'no 16x8 LSTM kernel in TFLite';
  if ([...LSTM.peephole, LSTM.projection, ...LSTM.layerNorm].some((i) => present(node, i))) return 'peephole, projection or layer-norm LSTMs stay float';
  for (const i of [...LSTM.inputToGate, ...LSTM.recurrentToGate, ...LSTM.gateBias]) {
    const name = node.inputs[i];
    if (name === null || name === undefined) continue;
    const t = graph.tensors.get(name);
    if (!t?.data || t.dtype !== 'float32') return 'its weights are not float32 constants';
  }
  return undefined;
}

/** Cell state scale 2^k / 32768 covering the observed (or clipped, or assumed ±8) cell range. */
function cellStateQuant(graph: Graph, node: Node, statistics: Statistics, warnings: string[]): QuantParams {
  const name = node.inputs[LSTM.cellState]!;
  const observed = statistics.get(name);
  const clip = node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' ? node.options.cellClip : 0;
  let maxAbs = observed ? Math.max(Math.abs(observed.min), Math.abs(observed.max)) : clip > 0 ? clip : 8;
  if (!observed && !(clip > 0)) warnings.push(`LSTM '${node.name}': no observed cell-state range; assumed ±8 (scale 2^-12).`);
  if (!(maxAbs > 0)) maxAbs = 1;
  const k = Math.ceil(Math.log2(maxAbs));
  return { scale: [2 ** (k - 15)], zeroPoint: [0] };
}

export function quantizeLstm(graph: Graph, node: Node, plan: QuantPlan, statistics: Statistics, warnings: string[]): void {
  const readers = readerCounts(graph);
  const inputPlan = activationOf(plan, node.inputs[LSTM.input]!, 'int8')!;
  const outputPlan = plan.activations.get(node.outputs[0]!)!;
  const sIn = inputPlan.quant.scale[0]!;
  const weightScale = new Map<number, number>();
  for (const i of [...LSTM.inputToGate, ...LSTM.recurrentToGate]) {
    if (!present(node, i)) continue;
    const w = graph.tensors.get(node.inputs[i]!)!;
    const { values, quant } = quantizeWeightsSymmetric(w.data as Float32Array, w.shape);
    replaceConstantInput(graph, node, i, { dtype: 'int8', shape: [...w.shape], data: values, quant }, readers, 'int8');
    weightScale.set(i, quant.scale[0]!);
  }
  LSTM.gateBias.forEach((bi, gate) => {
    if (!present(node, bi)) return;
    const b = graph.tensors.get(node.inputs[bi]!)!;
    const { values, quant } = quantizeBias(b.data as Float32Array, sIn, [weightScale.get(LSTM.inputToGate[gate]!)!], 'int32');
    replaceConstantInput(graph, node, bi, { dtype: 'int32', shape: [...b.shape], data: values, quant }, readers, 'bias');
  });
  const hidden = graph.tensors.get(node.inputs[LSTM.outputState]!)!;
  hidden.dtype = 'int8';
  hidden.quant = { scale: [...outputPlan.quant.scale], zeroPoint: [...outputPlan.quant.zeroPoint] };
  if (hidden.data) hidden.data = new Int8Array(hidden.data.length).fill(outputPlan.quant.zeroPoint[0]!);
  const cell = graph.tensors.get(node.inputs[LSTM.cellState]!)!;
  cell.dtype = 'int16';
  cell.quant = cellStateQuant(graph, node, statistics, warnings);
  if (cell.data) cell.data = new Int16Array(cell.data.length);
  const gates = ['input_to_input', 'input_to_forget', 'input_to_cell', 'input_to_output'];
  node.intermediates = gates.map((g) => addTensor(graph, { name: uniqueTensorName(graph, `${g}_intermediate`), dtype: 'float32', shape: [0] }).name);
  node.intermediates.push(
    addTensor(graph, { name: uniqueTensorName(graph, 'effective_hidden_scale_intermediate'), dtype: 'int8', shape: [0], quant: { scale: [...outputPlan.quant.scale], zeroPoint: [...outputPlan.quant.zeroPoint] } }).name,
  );
}
