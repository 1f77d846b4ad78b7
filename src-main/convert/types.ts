// The conversion request shared by the CLI, the app and the project history. Quantization
// settings are plain data so that a run record can replay them.
import type { IoFormula } from '../quantize/formulas';
import type { QuantizeReport } from '../quantize/qtypes';

export type QuantizeMode = 'none' | 'fp16' | 'dynamic' | 'int8' | 'int16x8';
export type IoType = 'float32' | 'int8' | 'uint8' | 'int16';
export type PreprocessPreset = '0..1' | '-1..1' | '0..255' | 'imagenet' | 'caffe';
export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';

export interface CalibrationSpec {
  /** A folder of images, a .npy (N samples) or a .npz (one array per input). */
  path: string;
  /** Preset name or a JSON file with mean/std/scale/channel order. */
  preprocess?: PreprocessPreset | string;
  samples: number;
  method: CalibrationMethod;
  seed: number;
  /** Share of the data (0..1) held out of calibration for validation (the app's default: 0.2). */
  holdOut?: number;
}

export interface QuantizeConfig {
  mode: QuantizeMode;
  inputType: IoType;
  outputType: IoType;
  /** Fail when an op cannot be integer instead of leaving it float. */
  int8Only: boolean;
  calibration?: CalibrationSpec;
  /** A JSON recipe file (schema: src-main/quantize/recipe.ts) used instead of the mode's preset. */
  recipe?: string;
  /**
   * How weights reach their stored type: `nearest` rounds each alone; `gptq` (needs calibration
   * data) picks them layer by layer so each layer's outputs on the data stay closest to float.
   * Default: `gptq` for fp16 when --calibration is given, else `nearest`.
   */
  weightRounding?: WeightRounding;
}

export type WeightRounding = 'nearest' | 'gptq';

export interface ConvertRequest {
  model: string;
  companions?: string[];
  output: string;
  inputShape?: number[];
  /** Keras / TF.js layers models: unroll recurrent layers over time (no variable tensors). */
  unrollRnn?: boolean;
  quantize: QuantizeConfig;
}

export interface ConvertProgress {
  stage: 'import' | 'passes' | 'calibrate' | 'quantize' | 'write' | 'validate';
  /** 0..1 within the stage, when known. */
  fraction?: number;
  message?: string;
}

export interface ConvertResult {
  output: string;
  bytes: number;
  sourceBytes: number;
  /** Bytes of the same model written as a float .tflite (the fair "before" for a quantized size). */
  floatTfliteBytes: number;
  opHistogram: Record<string, number>;
  inputs: { name: string; dtype: string; shape: number[]; quant?: { scale: number; zeroPoint: number } }[];
  outputs: { name: string; dtype: string; shape: number[]; quant?: { scale: number; zeroPoint: number } }[];
  timings: Record<string, number>;
  warnings: string[];
  /** The quantizer's report (float ops and why, per-layer weight SQNR, checks, stage timings); absent for --quantize none. */
  quantization?: QuantizeReport;
  /** The arithmetic deploying code applies at each graph input and output (see quantize/formulas.ts). */
  ioFormulas?: IoFormula[];
}
