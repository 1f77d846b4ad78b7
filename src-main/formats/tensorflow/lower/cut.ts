// `--outputs NAME[,NAME]`: the graph ends at the named tensors, so post-processing after them
// (NMS, decoding) stays on the host; and the cut `inspect` suggests when ops cannot be lowered:
// the tensors that feed the unsupported part from the part that converts.
import { InputError } from '../../../errors';
import { dataInputs, type TfNode } from '../tf-node';

export interface CutOutput {
  name: string;
  ref: string;
}

/** Resolves user tensor names ('node' or 'node:1') to graph outputs; unknown names are an error. */
export function cutOutputs(graphName: string, names: string[], byName: Map<string, TfNode>): CutOutput[] {
  return names.map((raw) => {
    const name = raw.trim();
    const [node, index] = name.split(':');
    if (!node || !byName.has(node)) {
      throw new InputError(`${graphName}: --outputs names '${name}', which is not a tensor of the model; use node names as 'inspect' shows them (e.g. a node before the post-processing).`);
    }
    if (index !== undefined && !/^\d+$/.test(index)) throw new InputError(`${graphName}: --outputs '${name}': the output index after ':' must be a number.`);
    return { name: name.replace(/:0$/, ''), ref: index === undefined ? `${node}:0` : name };
  });
}

/** Tensors that feed the nodes in `bad` (or anything downstream of them) from the convertible part. */
export function suggestCut(nodes: TfNode[], bad: Set<string>, constant: Set<string>): string[] {
  const downstream = new Set<string>();
  const frontier = new Set<string>();
  for (const node of nodes) {
    const inputs = dataInputs(node);
    if (bad.has(node.name) || inputs.some((r) => downstream.has(r.split(':')[0]!))) downstream.add(node.name);
  }
  for (const node of nodes) {
    if (!downstream.has(node.name)) continue;
    for (const ref of dataInputs(node)) {
      const source = ref.split(':')[0]!;
      if (!downstream.has(source) && !constant.has(source)) frontier.add(ref.replace(/:0$/, ''));
    }
  }
  return [...frontier];
}
