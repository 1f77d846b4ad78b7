// The Studio's calibration preview: one sample as the quantizer will see it, read by the same
// dataset code with the calibration's default sample count and seed (data/preview.ts).
import { previewSample } from '../data/preview';
import { DEFAULT_CALIBRATION_SAMPLES, DEFAULT_CALIBRATION_SEED } from '../quantize/calibration/index';
import type { CalibrationPreview } from './api-contract';

export async function previewCalibration(path: string, preprocess: string, shape?: number[]): Promise<CalibrationPreview> {
  return previewSample({ path, preprocess, ...(shape ? { shape } : {}), samples: DEFAULT_CALIBRATION_SAMPLES, seed: DEFAULT_CALIBRATION_SEED });
}
