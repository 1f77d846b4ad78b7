// The conversion request shared by the CLI, the app and the project history. Quantization
// settings are plain data so that a run record can replay them.
import type { DetectorFix } from '../quantize/detector/apply';
import type { DetectorFixReport } from '../quantize/detector/types';
import type { IoFormula } from '../quantize/formulas';
import type { QuantizeConfig, QuantizeReport, Recipe } from '../quantize/qtypes';

// The quantization vocabulary lives with the quantizer (quantize/qtypes.ts); re-exported here
// for the callers that build conversion requests.
export type { CalibrationMethod, CalibrationSpec, IoType, PreprocessPreset, QuantizeConfig, QuantizeMode, WeightRounding } from '../quantize/qtypes';

export interface ConvertRequest {
  model: string;
  companions?: string[];
  output: string;
  inputShape?: number[];
  /** Keras / TF.js layers models: unroll recurrent layers over time (no variable tensors). */
  unrollRnn?: boolean;
  /** TF graph models: end the graph at these tensors (post-processing stays on the host). */
  outputs?: string[];
  quantize: QuantizeConfig;
  /**
   * Detectors (src-main/quantize/detector/): the fix applied before quantizing; unset: none is applied
   * and every fix is measured on held-out calibration data to recommend one.
   */
  detectorFix?: DetectorFix;
  /** Compute workers for calibration, the int8 gptq statistics and a project run's evaluation (default: the cores available but one). */
  workers?: number;
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
  /** Detectors: the fix the file has, a split's outputs, and the measured fixes with the recommended one. */
  detector?: DetectorFixReport;
  /** The recipe the quantizer ran (preset or file, with --keep-float node rules); saved with a project run. */
  recipe?: Recipe;
  /** The arithmetic deploying code applies at each graph input and output (see quantize/formulas.ts). */
  ioFormulas?: IoFormula[];
  /** The TF.js backend the engine ran on ('tensorflow' = native tfjs-node, 'wasm', 'cpu', 'not loaded') and why a preferred one was not used. */
  compute: { backend: string; notes: string[]; workers?: number };
}
