// Weight lookup for lowered Keras layers. Each format (Keras 2 HDF5, weights-only HDF5,
// Keras 3 .weights.h5, TF.js manifests) yields a layer's weights in the order Keras
// declares them, with their variable names when the file has them.
import type { Hdf5File } from '../hdf5/h5file';
import type { LayerCall } from './config';
import { KerasFormatError } from './config';

export interface KerasWeight {
  /** Variable name as stored, e.g. 'conv2d/kernel:0', 'vars/0', 'conv1/kernel'. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface WeightSource {
  /** Weights of a layer in declaration order; [] when the layer has none. */
  forLayer(call: LayerCall): KerasWeight[];
}

/** A source with no weights: architecture-only configs get random weights instead. */
export class NoWeights implements WeightSource {
  forLayer(): KerasWeight[] {
    return [];
  }
}

/** Base name of a variable: 'model/conv2d/kernel:0' → 'kernel'. */
export function baseName(name: string): string {
  const leaf = name.slice(name.lastIndexOf('/') + 1);
  return leaf.replace(/:\d+$/, '');
}

/** Keras 2 files: a group per layer holding `weight_names` (full `model_weights` or `save_weights`). */
export class Keras2H5Weights implements WeightSource {
  /** Config layer name → weights group, when the file's layer names differ from the config's. */
  private byOrder: Map<string, string> | undefined;

  constructor(
    private readonly file: Hdf5File,
    private readonly root: string,
  ) {}

  /**
   * Keras `load_weights` (by_name=False) pairs layers that have weights by their order, so a
   * weights file saved from a model whose layers got other names still loads. Used when some
   * weighted config layer has no group of its own name in the file.
   */
  bindByOrder(calls: LayerCall[]): void {
    const rootKey = this.root === '/' ? '/' : this.root;
    const names = listAttr(this.file.attr(rootKey, 'layer_names'));
    const weighted = names.filter((n) => listAttr(this.file.attr(`${this.root}/${n}`.replace(/^\/+/, '/'), 'weight_names')).length > 0);
    const seen = new Set<string>();
    const configWeighted = calls.filter((c) => WEIGHTED.has(c.className) && c.scope.length === 0 && !seen.has(c.name) && seen.add(c.name));
    if (configWeighted.every((c) => weighted.includes(c.name))) return;
    if (configWeighted.length !== weighted.length) {
      throw new KerasFormatError(
        `${this.file.fileName}: weights file has ${weighted.length} layers with weights, the config ${configWeighted.length}; they do not belong together.`,
      );
    }
    this.byOrder = new Map(configWeighted.map((c, i) => [c.name, weighted[i]!]));
  }

  forLayer(call: LayerCall): KerasWeight[] {
    // Nested models keep all their layers' variables in the nested model's group.
    const groupName = this.byOrder?.get(call.name) ?? call.scope[0] ?? call.name;
    const group = `${this.root}/${groupName}`.replace(/^\/+/, '/');
    if (!this.file.has(group)) return [];
    const names = listAttr(this.file.attr(group, 'weight_names'));
    const mine = call.scope.length === 0 ? names : names.filter((n) => n.split('/')[0] === call.name);
    if (mine.length === 0 && names.length && this.byOrder) return names.map((n) => this.read(group, n));
    return mine.map((n) => this.read(group, n));
  }

  private read(group: string, name: string): KerasWeight {
    const ds = this.file.dataset(`${group}/${name}`);
    return { name, shape: ds.shape, data: ds.readFloat32() };
  }
}

/** Keras layer classes that own weights (for order-based matching of weights files). */
const WEIGHTED = new Set([
  'Conv1D', 'Conv2D', 'Conv3D', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D', 'Conv2DTranspose', 'Dense',
  'BatchNormalization', 'LayerNormalization', 'Embedding', 'PReLU', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional', 'Normalization',
]);

function listAttr(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.filter(Boolean);
  return value ? value.split(',').filter(Boolean) : [];
}

/** Keras 3 `model.weights.h5`: `layers/<name>/vars/<i>`, sub-objects (cell, forward_layer…) below. */
export class Keras3H5Weights implements WeightSource {
  constructor(private readonly file: Hdf5File) {}

  forLayer(call: LayerCall): KerasWeight[] {
    const path = ['', 'layers', ...call.scope.flatMap((s) => [s, 'layers']), call.name].join('/');
    const base = call.scope.length ? path : `/layers/${call.name}`;
    if (!this.file.has(base)) return [];
    const out: KerasWeight[] = [];
    this.collect(base, out);
    return out;
  }

  private collect(group: string, out: KerasWeight[]): void {
    const keys = this.file.keys(group);
    const rank = (k: string): number => (k === 'vars' ? 0 : k === 'forward_layer' ? 1 : k === 'backward_layer' ? 2 : k === 'cell' ? 3 : 4);
    const ordered = [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const key of ordered) {
      const path = `${group}/${key}`;
      if (this.file.isGroup(path)) {
        if (key === 'vars') {
          const vars = this.file.keys(path).sort((a, b) => Number(a) - Number(b));
          for (const v of vars) {
            const ds = this.file.dataset(`${path}/${v}`);
            out.push({ name: `${path}/${v}`, shape: ds.shape, data: ds.readFloat32() });
          }
        } else {
          this.collect(path, out);
        }
      }
    }
  }
}

/** Weights decoded from a TF.js manifest (already float32), keyed by layer prefix. */
export class NamedWeights implements WeightSource {
  constructor(private readonly weights: KerasWeight[]) {}

  forLayer(call: LayerCall): KerasWeight[] {
    return this.weights.filter((w) => w.name.split('/')[0] === call.name || w.name.startsWith(`${call.name}/`));
  }
}

/**
 * Picks a weight by its Keras name ('kernel', 'bias', …); falls back to its position for
 * files that only number variables (Keras 3). Throws when a required weight is missing.
 */
export function pickWeight(
  weights: KerasWeight[],
  names: string[],
  index: number,
  layer: string,
  required = true,
): KerasWeight | undefined {
  const byName = weights.find((w) => names.includes(baseName(w.name)));
  if (byName) return byName;
  const named = weights.some((w) => !/^\d+$/.test(baseName(w.name)));
  const found = named ? undefined : weights[index];
  if (!found && required) {
    throw new KerasFormatError(`Layer '${layer}': weight '${names[0]}' is missing from the weights file.`);
  }
  return found;
}
