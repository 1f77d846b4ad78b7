// Builds the model graph while Keras layers are lowered: named tensors with static
// shapes, constants, nodes in topological order. Tensor names follow the official
// converter's style (`<model>/<layer>/<Op>`) so users recognise them in both files.
import type { DType, Graph, Node, Tensor, TensorData } from '../../graph/model-graph';
import { addTensor, uniqueTensorName } from '../../graph/model-graph';
import type { OpOptions, OpType } from '../../graph/ops';
import { ParameterBudget } from '../model-limits';

/** A value flowing between lowered layers: the tensor name and its static shape. */
export interface Value {
  name: string;
  shape: number[];
  dtype: DType;
}

export class GraphBuilder {
  readonly graph: Graph;
  /** Source layer of the nodes being emitted, recorded on each node. */
  current: { layer: string; className: string } | undefined;
  /** Parameters the layers declared so far, checked before each weight is made or taken. */
  readonly parameters = new ParameterBudget();

  constructor(name: string, readonly prefix: string) {
    this.graph = { name, tensors: new Map(), nodes: [], inputs: [], outputs: [] };
  }

  /** Full tensor name for a layer-relative name, e.g. ('conv2d', 'Conv2D') → 'model/conv2d/Conv2D'. */
  scoped(layer: string, suffix: string): string {
    return `${this.prefix}${layer}/${suffix}`;
  }

  input(name: string, shape: number[], dtype: DType): Value {
    const t = addTensor(this.graph, { name: uniqueTensorName(this.graph, name), dtype, shape: [...shape] });
    this.graph.inputs.push(t.name);
    return { name: t.name, shape: t.shape, dtype };
  }

  constant(name: string, shape: number[], data: TensorData, dtype: DType = 'float32'): Value {
    const t: Tensor = { name: uniqueTensorName(this.graph, name), dtype, shape: [...shape], data };
    addTensor(this.graph, t);
    return { name: t.name, shape: t.shape, dtype };
  }

  int32(name: string, values: number[], shape: number[] = [values.length]): Value {
    return this.constant(name, shape, Int32Array.from(values), 'int32');
  }

  scalar(name: string, value: number): Value {
    return this.constant(name, [], Float32Array.of(value));
  }

  /** Emits one node with a fresh output tensor; returns the output value. */
  op<T extends OpType>(
    op: T,
    outputName: string,
    inputs: (Value | null)[],
    options: OpOptions[T],
    outShape: number[],
    outDtype: DType = 'float32',
  ): Value {
    const out = addTensor(this.graph, { name: uniqueTensorName(this.graph, outputName), dtype: outDtype, shape: [...outShape] });
    const node = {
      name: out.name,
      op,
      inputs: inputs.map((v) => (v ? v.name : null)),
      outputs: [out.name],
      options,
      ...(this.current ? { source: { ...this.current } } : {}),
    } as Node;
    this.graph.nodes.push(node);
    return { name: out.name, shape: out.shape, dtype: outDtype };
  }

  /** Emits a node with several outputs (e.g. SPLIT, UNPACK). */
  opMulti<T extends OpType>(
    op: T,
    outputNames: string[],
    inputs: (Value | null)[],
    options: OpOptions[T],
    outShapes: number[][],
  ): Value[] {
    const outs = outputNames.map((n, i) =>
      addTensor(this.graph, { name: uniqueTensorName(this.graph, n), dtype: 'float32', shape: [...outShapes[i]!] }),
    );
    this.graph.nodes.push({
      name: outs[0]!.name,
      op,
      inputs: inputs.map((v) => (v ? v.name : null)),
      outputs: outs.map((o) => o.name),
      options,
      ...(this.current ? { source: { ...this.current } } : {}),
    } as Node);
    return outs.map((o) => ({ name: o.name, shape: o.shape, dtype: 'float32' as DType }));
  }

  /** A variable tensor (LSTM/GRU state) initialised to zeros. */
  variable(name: string, shape: number[]): Value {
    const t = addTensor(this.graph, {
      name: uniqueTensorName(this.graph, name),
      dtype: 'float32',
      shape: [...shape],
      isVariable: true,
    });
    return { name: t.name, shape: t.shape, dtype: 'float32' };
  }
}
