// A real TFLite runtime that can load a .tflite file and run it. Implementations:
// LiteRT.js (XNNPACK, wasm) and tfjs-tflite-node (TFLite C library). Evaluation, local
// benchmarks and tests go through this interface so they can run either.
import type { DType } from '../graph/model-graph';

export type RuntimeName = 'litert-js' | 'tflite-node';

export interface RuntimeTensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** Per-tensor quantization of an int8/uint8/int16 I/O tensor. */
  quant?: { scale: number; zeroPoint: number };
}

export type RuntimeArray = Float32Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Uint16Array;

export interface LoadedTflite {
  readonly inputs: RuntimeTensorInfo[];
  readonly outputs: RuntimeTensorInfo[];
  /** Runs once; inputs in model input order, arrays of each tensor's dtype. */
  run(inputs: RuntimeArray[]): Promise<RuntimeArray[]>;
  /** Clears state (LSTM variables) so the next run starts fresh. */
  reset(): Promise<void>;
  dispose(): void;
}

export interface TfliteRuntime {
  readonly name: RuntimeName;
  readonly version: string;
  load(model: Uint8Array, options?: { threads?: number }): Promise<LoadedTflite>;
}
