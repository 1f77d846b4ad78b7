// How much memory a model may claim, by what its files declare, checked before anything is
// allocated: a config or header that declares more is refused with one line naming the layer
// or member and the size, instead of an allocation that takes the machine down.
import { InputError } from '../errors';

/**
 * Parameters a model may hold: 2 GiB of float32. A .tflite is a flatbuffer, which cannot exceed
 * 2 GiB, so a larger model could not be converted anyway. Real edge models are far below it
 * (MobileNetV2 3.5 M, InceptionV3 23.9 M, ResNet-152 60 M parameters).
 */
export const MAX_MODEL_PARAMETERS = 2 ** 29;

export class ModelTooLargeError extends InputError {
  override name = 'ModelTooLargeError';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes < 1024 ** 5) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  return `${(bytes / 1024 ** 3).toExponential(2)} GiB`;
}

/** Counts the parameters layers declare; refuses the one that goes past MAX_MODEL_PARAMETERS. */
export class ParameterBudget {
  private used = 0;

  constructor(private readonly limit = MAX_MODEL_PARAMETERS) {}

  /** `shape` is what the layer's config declares for one weight; checked before it is allocated. */
  claim(layer: string, weight: string, shape: number[]): void {
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelTooLargeError(`Layer '${layer}': its config gives weight '${weight}' the shape [${shape.join(', ')}], which is not a list of sizes; check the layer's config.`);
    }
    const count = shape.reduce((a, d) => a * d, 1);
    this.used += count;
    if (this.used > this.limit) {
      const count = (n: number) => (n < 1e12 ? n.toLocaleString('en-US') : n.toExponential(2));
      throw new ModelTooLargeError(
        `Layer '${layer.slice(0, 60)}': weight '${weight}' [${shape.map(count).join(', ')}] takes the model to ${count(this.used)} parameters (${formatBytes(this.used * 4)} as float32); ` +
          `the limit is ${count(this.limit)} (2 GiB, the most a .tflite can hold). Check the layer's config.`,
      );
    }
  }
}
