// The trained weights of the authored YOLOv8-style detector (written by ./train.py): float16
// values in the order the builder makes its layers, with a manifest of their shapes. The builder
// takes them one layer at a time and checks each shape, so a network that drifted from the one
// trained is refused rather than silently mis-loaded.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFloat16 } from '../../../src-main/graph/float16';

export const TRAINED_WEIGHTS = join(import.meta.dirname, 'yolov8-shapes');

interface LayerEntry {
  kind: 'conv-bn' | 'conv-bias';
  shapes: number[][];
}

export class WeightStream {
  private layer = 0;
  private offset = 0;

  private constructor(
    private readonly values: Uint16Array,
    private readonly layers: LayerEntry[],
  ) {}

  static load(prefix = TRAINED_WEIGHTS): WeightStream {
    if (!existsSync(`${prefix}.f16`)) throw new Error(`trained weights missing: ${prefix}.f16 (see test/detect/shapes/README.md)`);
    const bytes = readFileSync(`${prefix}.f16`);
    const values = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const { layers } = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as { layers: LayerEntry[] };
    return new WeightStream(values, layers);
  }

  /** The next layer's arrays, which must be of `kind` with these shapes. */
  next(kind: LayerEntry['kind'], shapes: number[][]): Float32Array[] {
    const entry = this.layers[this.layer];
    const at = `trained layer ${this.layer}`;
    if (!entry || entry.kind !== kind || JSON.stringify(entry.shapes) !== JSON.stringify(shapes)) {
      throw new Error(`${at}: the builder asks for ${kind} ${JSON.stringify(shapes)}, the file has ${entry ? `${entry.kind} ${JSON.stringify(entry.shapes)}` : 'no more layers'}`);
    }
    this.layer++;
    return shapes.map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const out = decodeFloat16(this.values.subarray(this.offset, this.offset + n));
      this.offset += n;
      return out;
    });
  }

  /** Every layer and value was used. */
  finish(): void {
    if (this.layer !== this.layers.length || this.offset !== this.values.length) {
      throw new Error(`trained weights: ${this.layers.length - this.layer} layers and ${this.values.length - this.offset} values left unused`);
    }
  }
}
