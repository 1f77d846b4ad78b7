// ONNX exports pad a max-pool explicitly: PadV2 with -inf, then (through Transposes) a VALID
// MaxPool. -inf has no int8 value and makes the calibrated range of every tensor it reaches
// infinite. When the padding lies only on pooled axes and is at most half the kernel on each
// side, every window that meets a padded row also covers the row SYMMETRIC mirroring copies
// there, so MirrorPad(SYMMETRIC) gives the same maxima, and the tensor keeps its own range.
import { attrInts, attrString, dataInputs, type TfNode, type TfTensorValue } from '../tf-node';

type ConstantOf = (ref: string) => TfTensorValue | undefined;

function consumersOf(nodes: TfNode[]): Map<string, TfNode[]> {
  const readers = new Map<string, TfNode[]>();
  for (const node of nodes) {
    for (const ref of dataInputs(node)) {
      const name = ref.split(':')[0]!;
      const list = readers.get(name);
      if (list) list.push(node);
      else readers.set(name, [node]);
    }
  }
  return readers;
}

const isNegativeInfinity = (v: TfTensorValue | undefined) => !!v && v.data.length > 0 && Array.from(v.data as ArrayLike<number>).every((x) => x === -Infinity);

/**
 * True when every reader of `name` is a VALID MaxPool (directly or through Transposes) whose
 * pooled axes, mapped back through the transposes (`axes[i]` = pad axis of reader axis i),
 * carry all the padding, with at most kernel/2 on each side.
 */
function onlyMaxPoolsRead(name: string, pads: number[], axes: number[], readers: Map<string, TfNode[]>, constantOf: ConstantOf, depth = 0): boolean {
  const list = readers.get(name) ?? [];
  if (list.length === 0 || depth > 8) return false;
  return list.every((node) => {
    if (node.op === 'Transpose') {
      const perm = constantOf(dataInputs(node)[1] ?? '');
      if (!perm || perm.data.length !== axes.length) return false;
      const p = Array.from(perm.data as ArrayLike<number>);
      return onlyMaxPoolsRead(node.name, pads, p.map((i) => axes[i]!), readers, constantOf, depth + 1);
    }
    if (node.op !== 'MaxPool' || attrString(node, 'padding', 'VALID') !== 'VALID') return false;
    const kernel = attrInts(node, 'ksize');
    if (kernel.length !== 4) return false;
    const pooled = attrString(node, 'data_format', 'NHWC') === 'NCHW' ? [2, 3] : [1, 2];
    return axes.every((padAxis, i) => {
      const [before, after] = [pads[2 * padAxis]!, pads[2 * padAxis + 1]!];
      if (before === 0 && after === 0) return true;
      return pooled.includes(i) && 2 * Math.max(before, after) <= kernel[i]!;
    });
  });
}

/** The nodes with each -inf PadV2 that only feeds max-pools turned into MirrorPad(SYMMETRIC). */
export function mirrorMaxPoolPadding(nodes: TfNode[], constantOf: ConstantOf): TfNode[] {
  if (!nodes.some((n) => n.op === 'PadV2')) return nodes;
  const readers = consumersOf(nodes);
  return nodes.map((node) => {
    if (node.op !== 'PadV2') return node;
    const [x, padRef, valueRef] = dataInputs(node);
    const pads = constantOf(padRef ?? '');
    if (!x || !pads || !isNegativeInfinity(constantOf(valueRef ?? ''))) return node;
    const flat = Array.from(pads.data as ArrayLike<number>);
    const rank = flat.length / 2;
    if (!onlyMaxPoolsRead(node.name, flat, Array.from({ length: rank }, (_, i) => i), readers, constantOf)) return node;
    // The -inf value stays as a third input: lowerPad falls back to it where a dim is narrower than its padding.
    return { ...node, op: 'MirrorPad', inputs: [x, padRef!, valueRef!], attr: { ...node.attr, mode: { kind: 's', value: 'SYMMETRIC' } } };
  });
}
