// SavedModels that are not Keras models: the serving signature's graph, with every function
// call (StatefulPartitionedCall / PartitionedCall) inlined and every resource variable replaced
// by its value from the checkpoint, lowered through the TF-op path.
import type { ModelGraph } from '../../graph/model-graph';
import { InputError, UnsupportedError } from '../../errors';
import type { OpenOptions } from '../importer';
import { lowerTfGraph } from '../tensorflow/lower/index';
import { fromProtoNode, type ProtoNode } from '../tensorflow/proto-nodes';
import { TensorBundle, bundlePrefix } from '../tensorflow/tensor-bundle';
import type { TfNode, TfTensorValue } from '../tensorflow/tf-node';
import { objectPaths, type SavedModelInfo } from './read';

interface ProtoFunction {
  signature?: { name?: string; inputArg?: { name?: string }[]; outputArg?: { name?: string }[] };
  nodeDef?: ProtoNode[];
  ret?: Record<string, string>;
}

/** Ops whose outputs come in several named args: flat index of each arg's first output. */
const OUTPUT_ARGS: Record<string, string[]> = {
  FusedBatchNorm: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV2: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV3: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2', 'reserve_space_3'],
};

const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);
const MAX_INLINE_DEPTH = 32;

class Inliner {
  readonly nodes: TfNode[] = [];
  private readonly functions: Map<string, ProtoFunction>;

  constructor(
    private readonly where: string,
    library: ProtoFunction[],
  ) {
    this.functions = new Map(library.map((f) => [f.signature?.name ?? '', f]));
  }

  /** Adds a node of the outer graph (or an inlined body), expanding calls. */
  add(node: TfNode, depth = 0): void {
    const fn = node.attr.f;
    if (!CALL_OPS.has(node.op) || fn?.kind !== 'func') {
      this.nodes.push(node);
      return;
    }
    if (depth > MAX_INLINE_DEPTH) throw new UnsupportedError(`${this.where}: function calls nest deeper than ${MAX_INLINE_DEPTH} (recursion?).`);
    const body = this.functions.get(fn.value);
    if (!body) throw new InputError(`${this.where}: '${node.name}' calls function '${fn.value}', which the SavedModel does not define.`);
    const args = (body.signature?.inputArg ?? []).map((a) => a.name ?? '');
    const dataInputs = node.inputs.filter((i) => !i.startsWith('^'));
    const bound = new Map(args.map((a, i) => [a, dataInputs[i] ?? '']));
    const opOf = new Map((body.nodeDef ?? []).map((n) => [n.name ?? '', n.op ?? '']));
    const prefix = node.name;
    const rewrite = (ref: string): string => {
      if (ref.startsWith('^')) return ref;
      const parts = ref.split(':');
      if (parts.length === 1) {
        const arg = bound.get(ref);
        if (arg === undefined) throw new InputError(`${this.where}: function '${fn.value}' refers to unknown input '${ref}'.`);
        return arg;
      }
      const [name, outArg, index] = parts as [string, string, string];
      const op = opOf.get(name) ?? '';
      const first = OUTPUT_ARGS[op]?.indexOf(outArg) ?? 0;
      return `${prefix}/${name}:${Math.max(first, 0) + Number(index ?? 0)}`;
    };
    for (const inner of body.nodeDef ?? []) {
      const converted = fromProtoNode(inner, this.where);
      this.add({ ...converted, name: `${prefix}/${converted.name}`, inputs: converted.inputs.filter((i) => !i.startsWith('^')).map(rewrite) }, depth + 1);
    }
    // The call's outputs become an IdentityN over the function's return values.
    const outputs = (body.signature?.outputArg ?? []).map((a) => rewrite(body.ret?.[a.name ?? ''] ?? ''));
    this.nodes.push({ name: node.name, op: 'IdentityN', inputs: outputs, attr: {} });
  }
}

/** Checkpoint key of every variable, by its name (SavedVariable.name = VarHandleOp shared_name). */
function variableKeys(info: SavedModelInfo): Map<string, string> {
  const nodes = info.metaGraph.objectGraphDef?.nodes ?? [];
  const paths = objectPaths(nodes);
  const keys = new Map<string, string>();
  nodes.forEach((node, id) => {
    const name = node.variable?.name;
    if (name && !keys.has(name)) keys.set(name, `${paths.get(id)}/.ATTRIBUTES/VARIABLE_VALUE`);
  });
  return keys;
}

/** Outer-graph nodes the signature outputs depend on (so saver functions are never inlined). */
function neededOuterNodes(nodes: ProtoNode[], outputs: string[]): ProtoNode[] {
  const byName = new Map(nodes.map((n) => [n.name ?? '', n]));
  const needed = new Set<string>();
  const stack = outputs.map((o) => o.split(':')[0]!);
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name) || !byName.has(name)) continue;
    needed.add(name);
    for (const input of byName.get(name)!.input ?? []) if (!input.startsWith('^')) stack.push(input.split(':')[0]!);
  }
  return nodes.filter((n) => needed.has(n.name ?? ''));
}

export async function openSavedModelGraph(info: SavedModelInfo, options: OpenOptions = {}): Promise<ModelGraph> {
  const where = info.dir;
  const signature = info.signatures.serving_default ?? Object.values(info.signatures)[0];
  if (!signature) throw new InputError(`${where}: the SavedModel has no serving signature to convert.`);
  const graphDef = info.metaGraph.graphDef as { node?: ProtoNode[]; library?: { function?: ProtoFunction[] } } | undefined;
  const inliner = new Inliner(where, graphDef?.library?.function ?? []);
  for (const node of neededOuterNodes(graphDef?.node ?? [], signature.outputs.map((o) => o.tensor))) inliner.add(fromProtoNode(node, where));
  // Resource variables become constants read from the checkpoint.
  const keys = variableKeys(info);
  const bundle = TensorBundle.open(bundlePrefix(info.dir));
  const constants = new Map<string, TfTensorValue>();
  const nodes = inliner.nodes.map((node): TfNode => {
    if (node.op !== 'VarHandleOp' && node.op !== 'VariableV2') return node;
    const shared = node.attr.shared_name;
    const name = shared?.kind === 's' && shared.value ? shared.value : node.name;
    const key = keys.get(name) ?? (bundle.entries.has(name) ? name : undefined);
    if (!key) throw new InputError(`${where}: variable '${name}' has no value in the checkpoint.`);
    const tensor = bundle.read(key);
    constants.set(node.name, { dtype: tensor.dtype, shape: tensor.shape, data: tensor.data });
    return { ...node, op: 'Const' };
  });
  return lowerTfGraph({
    name: where.split('/').filter(Boolean).pop() ?? 'saved_model',
    format: 'savedmodel-graph',
    nodes,
    inputs: signature.inputs.map((s) => ({ name: s.key, ref: s.tensor, shape: s.shape })),
    outputs: signature.outputs.map((s) => ({ name: s.key, ref: s.tensor, shape: s.shape })),
    constants,
    ...(options.inputShape ? { inputShape: options.inputShape } : {}),
    ...(options.collectUnsupported ? { collectUnsupported: true } : {}),
    ...(options.outputs?.length ? { cut: options.outputs } : {}),
    metadata: { tensorflow_version: info.tensorflowVersion },
  }).then((model) => {
    model.description = `Converted from a TensorFlow SavedModel (TensorFlow ${info.tensorflowVersion}) by EdgeQuant Studio.`;
    return model;
  });
}

