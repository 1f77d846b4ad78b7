// Authors TF.js graph models (model.json GraphDef topology + one weights shard) in tests, the
// form ultralytics' TF.js export takes: nodes with TF attrs, constants in the weights manifest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Attr = Record<string, unknown>;
interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, Attr>;
}
interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export const attr = {
  float: { type: 'DT_FLOAT' },
  int: { type: 'DT_INT32' },
  s: (v: string): Attr => ({ s: b64(v) }),
  i: (v: number): Attr => ({ i: String(v) }),
  b: (v: boolean): Attr => ({ b: v }),
  ints: (v: number[]): Attr => ({ list: { i: v.map(String) } }),
};

export class GraphModelWriter {
  private readonly nodes: GraphNode[] = [];
  private readonly weights: WeightEntry[] = [];

  placeholder(name: string, shape: number[]): string {
    this.nodes.push({ name, op: 'Placeholder', input: [], attr: { dtype: attr.float, shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
    return name;
  }

  constant(name: string, shape: number[], data: Float32Array | Int32Array): string {
    const dtype = data instanceof Int32Array ? 'int32' : 'float32';
    const tfType = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    this.nodes.push({ name, op: 'Const', input: [], attr: { value: { tensor: { dtype: tfType, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: { type: tfType } } });
    this.weights.push({ name, shape, dtype, data });
    return name;
  }

  ints(name: string, values: number[]): string {
    return this.constant(name, [values.length], Int32Array.from(values));
  }

  op(name: string, op: string, input: string[], attrs: Record<string, Attr> = {}): string {
    this.nodes.push({ name, op, input, attr: { T: attr.float, ...attrs } });
    return name;
  }

  /** A node with exactly the given attrs (no default T). */
  raw(name: string, op: string, input: string[], attrs: Record<string, Attr>): string {
    this.nodes.push({ name, op, input, attr: attrs });
    return name;
  }

  /** Writes model.json + weights.bin into `dir`; `outputs` name the signature outputs. */
  write(dir: string, inputs: { name: string; shape: number[] }[], outputs: string[]): string {
    const bytes = Buffer.concat(this.weights.map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
    writeFileSync(join(dir, 'weights.bin'), bytes);
    const shape = (s: number[]) => ({ dim: s.map((d) => ({ size: String(d) })) });
    const json = {
      format: 'graph-model',
      generatedBy: 'edgequant tests',
      convertedBy: 'edgequant tests',
      modelTopology: { node: this.nodes, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['weights.bin'], weights: this.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype })) }],
      signature: {
        inputs: Object.fromEntries(inputs.map((i) => [`${i.name}:0`, { name: `${i.name}:0`, dtype: 'DT_FLOAT', tensorShape: shape(i.shape) }])),
        outputs: Object.fromEntries(outputs.map((o) => (o.includes(':') ? o : `${o}:0`)).map((o) => [o, { name: o, dtype: 'DT_FLOAT' }])),
      },
    };
    const path = join(dir, 'model.json');
    writeFileSync(path, JSON.stringify(json));
    return path;
  }
}
