export { iou, nonMaxSuppression, type Detection, type NmsOptions } from './boxes';
export { averagePrecision, COCO_THRESHOLDS, detectionMetrics, type ClassAp, type DetectionMetrics, type ImageBoxes } from './ap';
export { chooseDecoder, DEFAULT_DETECT, detect, inputSize, type DetectOptions } from './decode';
export type { DecodeContext, DecoderName, RawOutput } from './decoders/types';
export { evaluateDetector, type DetectionEvaluationReport, type DetectRequest } from './evaluate-detect';
export { formatDetectionReport } from './report';
export type { DetectionSection, ImageDetections } from './report-types';
export { DetectInputError } from './errors';
