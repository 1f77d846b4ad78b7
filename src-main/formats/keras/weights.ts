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
  constructor(
    private readonly file: Hdf5File,
    private readonly root: string,
  ) {}

  forLayer(call: LayerCall): KerasWeight[] {
    // Nested models keep all their layers' variables in the nested model's group.
    const groupName = call.scope[0] ?? call.name;
    const group = `${this.root}/${groupName}`.replace(/^\/+/, '/');
    if (!this.file.has(group)) return [];
    const names = listAttr(this.file.attr(group, 'weight_names'));
    const mine = call.scope.length === 0 ? names : names.filter((n) => n.split('/')[0] === call.name);
    return mine.map((n) => {
      const ds = this.file.dataset(`${group}/${n}`);
      return { name: n, shape: ds.shape, data: ds.readFloat32() };
    });
  }
}

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
