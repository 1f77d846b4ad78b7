// The error half of validation: float and quantized graphs run side by side in the IR
// interpreter (which fake-quantizes integer tensors) on the same samples; every tensor both
// graphs name alike gets an SQNR, every graph output an SQNR and a max abs error.
import { createExecutor, type GraphInputs } from '../graph/execute';
import { mainGraph, type ModelGraph } from '../graph/model-graph';

export interface LayerError {
  node: string;
  op: string;
  tensor: string;
  sqnrDb: number;
}

export interface OutputError {
  name: string;
  sqnrDb: number;
  maxAbsError: number;
}

interface Accumulator {
  signal: number;
  noise: number;
  maxAbs: number;
}

const db = (a: Accumulator): number => (a.noise === 0 ? Infinity : 10 * Math.log10(a.signal / a.noise));

export async function compareLayers(
  float: ModelGraph,
  quantized: ModelGraph,
  samples: GraphInputs[],
  signal?: AbortSignal,
): Promise<{ outputs: OutputError[]; layers: LayerError[] }> {
  const fg = mainGraph(float);
  const qg = mainGraph(quantized);
  const producer = new Map(fg.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const shared = new Set(fg.nodes.flatMap((n) => n.outputs).filter((o) => qg.tensors.has(o)));
  for (const o of fg.outputs) if (qg.tensors.has(o)) shared.add(o);
  const acc = new Map<string, Accumulator>();
  const floatRun = await createExecutor(float);
  const quantRun = await createExecutor(quantized);
  try {
    for (const inputs of samples) {
      const reference = new Map<string, Float32Array>();
      await floatRun.run(inputs, { observe: (name, values) => shared.has(name) && reference.set(name, Float32Array.from(values)), ...(signal ? { signal } : {}) });
      await quantRun.run(inputs, {
        ...(signal ? { signal } : {}),
        observe: (name, values) => {
          const ref = reference.get(name);
          if (!ref || ref.length !== values.length) return;
          const a = acc.get(name) ?? { signal: 0, noise: 0, maxAbs: 0 };
          for (let i = 0; i < ref.length; i++) {
            const d = ref[i]! - values[i]!;
            a.signal += ref[i]! * ref[i]!;
            a.noise += d * d;
            if (Math.abs(d) > a.maxAbs) a.maxAbs = Math.abs(d);
          }
          acc.set(name, a);
        },
      });
    }
  } finally {
    floatRun.dispose();
    quantRun.dispose();
  }
  const layers: LayerError[] = [];
  for (const [tensor, a] of acc) {
    const node = producer.get(tensor);
    if (node) layers.push({ node: node.name, op: node.op, tensor, sqnrDb: db(a) });
  }
  const outputs = fg.outputs.flatMap((name) => {
    const a = acc.get(name);
    return a ? [{ name, sqnrDb: db(a), maxAbsError: a.maxAbs }] : [];
  });
  return { outputs, layers };
}
