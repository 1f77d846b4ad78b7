// `evaluate --task detect`: the ordinary float-vs-quantized evaluation, with every sample's
// outputs decoded into boxes on the way; then mAP of the quantized model against the float
// model's detections, and of both models against labels when given.
import { evaluate, type EvaluateOptions, type EvaluateRequest, type EvaluationReport } from '../evaluate/index';
import type { Detection } from './boxes';
import { chooseDecoder, DEFAULT_DETECT, detect, inputSize, type DetectOptions } from './decode';
import type { BoxScale, DecoderName } from './decoders/types';
import { yoloBoxScale } from './decoders/yolov8';
import { detectionMetrics, type ImageBoxes } from './ap';
import { readClassNames, readYoloLabels, sampleStem, toPixels } from './labels';
import type { DetectionSection, ImageDetections } from './report-types';

export interface DetectRequest {
  decoder?: DecoderName | 'auto';
  /** Folder of YOLO txt labels, one per image (same stem). */
  labels?: string;
  /** Class names, one per line. */
  classes?: string;
  scoreThreshold?: number;
  iouThreshold?: number;
  maxDetections?: number;
  /** YOLO box units; 'auto' (default) decides once, from the float model's first outputs. */
  boxScale?: BoxScale | 'auto';
}

export interface DetectionEvaluationReport extends EvaluationReport {
  detection: DetectionSection;
}

export async function evaluateDetector(request: EvaluateRequest, detectRequest: DetectRequest, options: EvaluateOptions = {}): Promise<DetectionEvaluationReport> {
  const wanted = detectRequest.decoder ?? 'auto';
  // Read before the long run so a bad label file fails at once.
  const labels = detectRequest.labels ? await readYoloLabels(detectRequest.labels) : undefined;
  const classNames = detectRequest.classes ? await readClassNames(detectRequest.classes) : undefined;
  let settings: DetectOptions | undefined;
  // Sizes come from the first sample: the runtime's shapes, with dynamic inputs already pinned.
  // The box scale too, from the float model, so both models' boxes are read the same way.
  const settingsFor = (inputShape: number[], outputShapes: number[][], floatOutputs: Float32Array[]): DetectOptions => {
    const { width, height } = inputSize(inputShape);
    const decoder = wanted === 'auto' ? chooseDecoder(outputShapes, width, height) : wanted;
    const askedScale = detectRequest.boxScale ?? 'auto';
    const raw = floatOutputs.map((data, k) => ({ shape: outputShapes[k]!, data }));
    const boxScale = decoder !== 'yolov8' ? undefined : askedScale !== 'auto' ? askedScale : yoloBoxScale(raw, { inputWidth: width, inputHeight: height });
    return {
      decoder,
      ...(boxScale ? { boxScale } : {}),
      inputWidth: width,
      inputHeight: height,
      scoreThreshold: detectRequest.scoreThreshold ?? DEFAULT_DETECT.scoreThreshold,
      iouThreshold: detectRequest.iouThreshold ?? DEFAULT_DETECT.iouThreshold,
      maxDetections: detectRequest.maxDetections ?? DEFAULT_DETECT.maxDetections,
    };
  };
  const images: ImageDetections[] = [];
  const unlabelled: string[] = [];
  const report = await evaluate(request, {
    ...options,
    onSample: (sample) => {
      const s = (settings ??= settingsFor(sample.inputShapes[0] ?? [], sample.outputShapes, sample.float));
      const raw = (outs: Float32Array[]) => outs.map((data, k) => ({ shape: sample.outputShapes[k]!, data }));
      const stem = sampleStem(sample.source);
      const truth = labels?.get(stem);
      if (labels && !truth) unlabelled.push(stem);
      images.push({
        source: sample.source,
        float: detect(raw(sample.float), s),
        quant: detect(raw(sample.quant), s),
        ...(truth ? { truth: toPixels(truth, s.inputWidth, s.inputHeight) } : {}),
      });
      options.onSample?.(sample);
    },
  });
  const used = settings!;
  const pairs = (pick: (im: ImageDetections) => ImageBoxes | undefined) => images.map(pick).filter((x): x is ImageBoxes => x !== undefined);
  const vsLabels = (side: 'float' | 'quant') => pairs((im) => (im.truth ? { predicted: im[side], truth: im.truth } : undefined));
  const warnings = [...report.warnings];
  if (unlabelled.length) warnings.push(`${unlabelled.length} image(s) have no label file in ${detectRequest.labels} (e.g. ${unlabelled[0]}.txt) and count only against the float detections.`);
  const maxClass = Math.max(-1, ...images.flatMap((im) => [...im.float, ...im.quant, ...(im.truth ?? [])].map((d: Detection) => d.classId)));
  if (classNames && maxClass >= classNames.length) warnings.push(`Class id ${maxClass} has no name in ${detectRequest.classes} (${classNames.length} names).`);
  return {
    ...report,
    warnings,
    detection: {
      decoder: used.decoder as DecoderName,
      inputWidth: used.inputWidth,
      inputHeight: used.inputHeight,
      scoreThreshold: used.scoreThreshold,
      iouThreshold: used.iouThreshold,
      maxDetections: used.maxDetections,
      ...(used.boxScale && used.boxScale !== 'auto' ? { boxScale: used.boxScale } : {}),
      ...(classNames ? { classNames } : {}),
      quantVsFloat: detectionMetrics(pairs((im) => ({ predicted: im.quant, truth: im.float }))),
      ...(labels ? { floatVsLabels: detectionMetrics(vsLabels('float')), quantVsLabels: detectionMetrics(vsLabels('quant')) } : {}),
      images,
    },
  };
}
