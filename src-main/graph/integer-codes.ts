// The codes each integer tensor type holds: what a quantized value is clamped to wherever it is
// stored, fed, read back or simulated.
import type { DType } from './model-graph';

export const INTEGER_CODES = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
} as const satisfies Partial<Record<DType, readonly [number, number]>>;

/** The codes of a type that stores quantized activations (int8, uint8, int16); undefined for any other. */
export function activationCodes(dtype: string): readonly [number, number] | undefined {
  return dtype === 'int8' || dtype === 'uint8' || dtype === 'int16' ? INTEGER_CODES[dtype] : undefined;
}

/** The codes of any integer type a quantized tensor can have (int32 too: a bias); undefined otherwise. */
export function integerCodes(dtype: string): readonly [number, number] | undefined {
  return Object.hasOwn(INTEGER_CODES, dtype) ? INTEGER_CODES[dtype as keyof typeof INTEGER_CODES] : undefined;
}
