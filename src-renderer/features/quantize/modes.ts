// The quantization modes as shown side by side: what each does and when to use it.
import type { QuantizeMode } from '../../../src-main/convert/types';

export interface ModeInfo {
  mode: QuantizeMode;
  title: string;
  size: string;
  speed: string;
  accuracy: string;
  when: string;
  needsCalibration: boolean;
  recommended?: boolean;
}

export const MODES: readonly ModeInfo[] = [
  { mode: 'fp16', title: 'FP16', size: '½ of float', speed: 'Same as float on CPU; fast on GPUs', accuracy: 'Practically unchanged', when: 'GPU delegates, or a safe first step', needsCalibration: false },
  { mode: 'dynamic', title: 'INT8 dynamic range', size: '¼ of float', speed: 'Often faster on CPU for large FC/LSTM layers (weights int8, activations float); measure on the board', accuracy: 'Small loss', when: 'No calibration data at hand; large FC/LSTM models', needsCalibration: false },
  { mode: 'int8', title: 'INT8 full integer', size: '¼ of float', speed: 'Usually fastest on board CPUs with int8 kernels; required by NPUs/Edge TPU/MCUs. Measure on the board: in this computer\'s WebAssembly runtime int8 can be slower than float', accuracy: 'Small loss with good calibration', when: 'Vision models on edge boards', needsCalibration: true, recommended: true },
  { mode: 'int16x8', title: 'INT16 activations × INT8 weights', size: '¼–½ of float', speed: 'Slower than INT8; few kernels', accuracy: 'Closer to float than INT8', when: 'Audio/regression where INT8 loses too much', needsCalibration: true },
];

/** The CLI's default (src-main/convert/weight-rounding.ts; test/e2e/bias-correction.test.ts checks they agree). */
export const BIAS_CORRECTION_BY_DEFAULT = true;

export const PRESETS = ['0..1', '-1..1', '0..255', 'imagenet', 'caffe'] as const;
