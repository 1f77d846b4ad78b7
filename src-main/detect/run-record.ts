// What a detector run keeps in its run record: the detection metrics (quantized vs float
// detections, and against labels when given), per image the boxes of both models for the Studio's
// side-by-side view (bounded so run.json stays small), the headline figures as run metrics
// (History charts them) and the board snippets that decode the raw outputs on the host.
import type { Detection } from './boxes';
import { detectionMetrics, type DetectionMetrics } from './ap';
import type { BoxScale, DecoderName } from './decoders/types';
import type { DetectionSection } from './report-types';
import { cppDetectorSnippet } from './snippets/cpp';
import type { SnippetTensor } from './snippets/plan';
import { pythonDetectorSnippet } from './snippets/python';

/** At most this many images keep their boxes in the record (the first ones validated). */
export const RECORD_IMAGES = 24;
/** At most this many boxes per image and model (highest scores first). */
export const RECORD_BOXES = 50;

export interface RunDetectionImage {
  /** The validation sample (image file name). */
  source: string;
  float: Detection[];
  quant: Detection[];
  truth?: Detection[];
  /** This image's float boxes the quantized model missed, and its quantized boxes matching none (IoU 0.5, same class). */
  missed: number;
  extra: number;
}

export interface RunDetection {
  decoder: DecoderName;
  /** Set by the user's choice of task, or recognised from the output shapes. */
  chosenBy: 'user' | 'output shapes';
  inputWidth: number;
  inputHeight: number;
  /** YOLO heads: whether the output's boxes were in pixels or 0..1 of the input (boxes here are in pixels). */
  boxScale?: BoxScale;
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  classNames?: string[];
  /** YOLO txt labels folder, when given. */
  labels?: string;
  quantVsFloat: DetectionMetrics;
  floatVsLabels?: DetectionMetrics;
  quantVsLabels?: DetectionMetrics;
  /** Images validated (the record keeps the boxes of the first RECORD_IMAGES). */
  imagesTotal: number;
  images: RunDetectionImage[];
  /** The run's file holding those images as the model saw them (JPEG, base64 in JSON). */
  picturesFile?: string;
  /** Host-side decode + NMS for the board, for this model's outputs (absent for SSD heads). */
  snippets?: { python: string; cpp: string };
}

/** The run file with the validation pictures (each drawn stretched to the input's width × height). */
export interface DetectionPictures {
  images: { source: string; jpegBase64: string }[];
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const compact = (boxes: Detection[]): Detection[] =>
  [...boxes]
    .sort((a, b) => b.score - a.score)
    .slice(0, RECORD_BOXES)
    .map((b) => ({ x1: round(b.x1, 1), y1: round(b.y1, 1), x2: round(b.x2, 1), y2: round(b.y2, 1), score: round(b.score, 3), classId: b.classId }));

/** The evaluation's detection section as the record keeps it (bounded, rounded). */
export function runDetection(section: DetectionSection, extra: Pick<RunDetection, 'chosenBy'> & Partial<Pick<RunDetection, 'labels' | 'picturesFile' | 'snippets'>>): RunDetection {
  const { images, ...rest } = section;
  return {
    ...rest,
    ...extra,
    imagesTotal: images.length,
    images: images.slice(0, RECORD_IMAGES).map((im) => {
      const { missed, extra } = detectionMetrics([{ predicted: im.quant, truth: im.float }]);
      return { source: im.source, float: compact(im.float), quant: compact(im.quant), ...(im.truth ? { truth: compact(im.truth) } : {}), missed, extra };
    }),
  };
}

/** The headline figures as run metrics: History lists and charts these. */
export function detectionRunMetrics(section: DetectionSection): Record<string, number | null> {
  const m = section.quantVsFloat;
  return {
    map50: m.map50,
    map5095: m.map5095,
    meanIou: m.meanIou,
    missedBoxes: m.missed,
    extraBoxes: m.extra,
    ...(section.quantVsLabels ? { labelMap50: section.quantVsLabels.map50, labelMap5095: section.quantVsLabels.map5095 } : {}),
    ...(section.floatVsLabels ? { floatLabelMap50: section.floatVsLabels.map50 } : {}),
  };
}

/** The board snippets for this head (YOLOv8 and NanoDet; SSD heads have none yet). */
export function detectorSnippets(section: DetectionSection, input: SnippetTensor, outputs: SnippetTensor[]): RunDetection['snippets'] {
  if (section.decoder !== 'yolov8' && section.decoder !== 'nanodet') return undefined;
  // The box unit the evaluation found (or was told): the snippet must read the output the same way.
  const spec = { decoder: section.decoder, input, outputs, scoreThreshold: section.scoreThreshold, iouThreshold: section.iouThreshold, maxDetections: section.maxDetections, ...(section.boxScale ? { boxScale: section.boxScale } : {}) };
  return { python: pythonDetectorSnippet(spec), cpp: cppDetectorSnippet(spec) };
}
