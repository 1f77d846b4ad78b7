// The `detection` section of an evaluation report (JSON-safe; the run record keeps it).
import type { Detection } from './boxes';
import type { DetectionMetrics } from './ap';
import type { BoxScale, DecoderName } from './decoders/types';

export interface ImageDetections {
  source: string;
  float: Detection[];
  quant: Detection[];
  /** Label boxes when --labels has a file for this image. */
  truth?: Detection[];
}

export interface DetectionSection {
  decoder: DecoderName;
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** YOLO heads: the box units the outputs were read in. */
  boxScale?: BoxScale;
  classNames?: string[];
  /** The quantized model judged with the float model's detections as truth (no labels needed). */
  quantVsFloat: DetectionMetrics;
  floatVsLabels?: DetectionMetrics;
  quantVsLabels?: DetectionMetrics;
  /** Per image boxes of both models (for the Studio's side-by-side view). */
  images: ImageDetections[];
}
