// The detection step of a project run: when the user picked the detection task, or left the task
// on auto and the model's outputs are a detector head, the run's one evaluation pass also decodes
// both models' outputs into boxes (src-main/detect) and the record keeps the detection metrics,
// the boxes of the first images, the pictures they were found in and the board snippets.
import { chooseDecoder, inputSize } from '../detect/decode';
import type { DecoderName } from '../detect/decoders/types';
import { DetectInputError } from '../detect/errors';
import type { DetectionEvaluationReport, DetectRequest } from '../detect/evaluate-detect';
import { nanodetLevels } from '../detect/decoders/nanodet';
import { yoloLayout } from '../detect/decoders/yolov8';
import type { EvaluateOptions, EvaluateRequest, EvaluationReport } from '../evaluate/index';
import type { ProjectConvertParams } from '../projects/api-contract';
import type { RunContext } from '../projects/record-run';
import type { IoTensor } from '../projects/types';
import { PictureCollector } from './detect-pictures';
import { resolvePreprocessing } from '../data/preprocess';
import { judgeDetector } from './detect-verdict';
import { detectionRunMetrics, detectorSnippets, RECORD_IMAGES, runDetection } from '../detect/run-record';

export const PICTURES_FILE = 'detection-pictures.json';

interface ModelIo {
  inputs: IoTensor[];
  outputs: IoTensor[];
}

const ANCHOR_STRIDES = [8, 16, 32, 64];

/** Anchor points of a grid set: the cells of any non-empty subset of the usual strides. */
function anchorCounts(width: number, height: number): Set<number> {
  const counts = new Set<number>();
  for (let mask = 1; mask < 1 << ANCHOR_STRIDES.length; mask++) {
    let n = 0;
    ANCHOR_STRIDES.forEach((s, k) => {
      if (mask & (1 << k)) n += Math.ceil(width / s) * Math.ceil(height / s);
    });
    counts.add(n);
  }
  return counts;
}

/**
 * The detector head the outputs are, judged strictly (auto must not take a classifier or a
 * sequence model for a detector): a YOLOv8 output whose point count is a stride grid of the
 * input, NanoDet levels paired by grid, or SSD boxes [1, N, 4] with their scores.
 */
export function recognisedHead(io: ModelIo): DecoderName | undefined {
  const input = io.inputs[0];
  if (io.inputs.length !== 1 || !input || input.shape.length !== 4) return undefined;
  const { width, height } = inputSize(input.shape);
  if (!(width > 1 && height > 1)) return undefined;
  const shapes = io.outputs.map((o) => o.shape);
  const yolo = shapes.length === 1 ? yoloLayout(shapes[0]!) : undefined;
  if (yolo) return anchorCounts(width, height).has(yolo.count) ? 'yolov8' : undefined;
  if (nanodetLevels(shapes.map((shape) => ({ shape, data: new Float32Array(0) })), width, height)) return 'nanodet';
  const boxes = shapes.find((s) => s.length === 3 && s[0] === 1 && s[2] === 4);
  if (boxes && shapes.length >= 2 && shapes.length <= 4 && shapes.every((s) => s.length === 1 || s[1] === boxes[1])) return 'ssd';
  return undefined;
}

export interface DetectionStep {
  readonly decoder: DecoderName;
  /** The run's evaluation with every sample decoded into boxes (replaces the plain evaluate). */
  evaluate(request: EvaluateRequest, options: EvaluateOptions): Promise<EvaluationReport>;
  /** Stores metrics, boxes, pictures, snippets and the detector's verdict in the run (after the plain verdict). */
  record(report: EvaluationReport, ctx: RunContext): Promise<void>;
}

/**
 * The detection step this run needs, or undefined (classification task, a float-only conversion,
 * or auto on a model whose outputs are no detector head). A chosen decoder that cannot read the outputs is a one-line error.
 * `io`: the written file's (the board snippets read its outputs); `reference`: the float model's,
 * whose head is decoded (a `--detector-fix split` file's outputs are joined back into it).
 */
export function detectionStep(params: ProjectConvertParams, io: ModelIo, reference: ModelIo = io): DetectionStep | undefined {
  const task = params.task ?? 'auto';
  // A float-only conversion is not evaluated, so there is nothing to detect with.
  if (task === 'classify' || params.request.quantize.mode === 'none') return undefined;
  const recognised = recognisedHead(reference);
  if (task === 'auto' && !recognised) return undefined;
  const wanted = params.detect?.decoder ?? 'auto';
  const decoder = wanted !== 'auto' ? wanted : (recognised ?? decoderFromShapes(reference));
  const request: DetectRequest = {
    decoder,
    ...(params.detect?.labels ? { labels: params.detect.labels } : {}),
    ...(params.detect?.classes ? { classes: params.detect.classes } : {}),
  };
  const pictures = new PictureCollector(RECORD_IMAGES);
  return {
    decoder,
    async evaluate(evalRequest, options) {
      const { evaluateDetector } = await import('../detect/evaluate-detect');
      pictures.preprocessing = await resolvePreprocessing(evalRequest.preprocess);
      return evaluateDetector(evalRequest, request, {
        ...options,
        onSample: (sample) => {
          const input = sample.inputs[0];
          if (input) pictures.add(sample.source, input, sample.inputShapes[0] ?? []);
          options.onSample?.(sample);
        },
      });
    },
    async record(report, ctx) {
      const section = (report as DetectionEvaluationReport).detection;
      if (!section) throw new DetectInputError('The detection step ran no detection evaluation (internal: evaluate was not the detection step).');
      ctx.setMetrics(detectionRunMetrics(section));
      const shown = await pictures.encode();
      const saved = shown ? await ctx.writeReport(PICTURES_FILE, shown) : undefined;
      const snippets = io.inputs[0] ? detectorSnippets(section, io.inputs[0], io.outputs) : undefined;
      ctx.setDetails({
        // Replaces the classification verdict: a detector is judged by its boxes.
        verdict: judgeDetector(section),
        detection: runDetection(section, {
          chosenBy: task === 'detect' ? 'user' : 'output shapes',
          ...(params.detect?.labels ? { labels: params.detect.labels } : {}),
          ...(saved ? { picturesFile: saved.name } : {}),
          ...(snippets ? { snippets } : {}),
        }),
      });
    },
  };
}

/** The decoder for a user-chosen detection task with decoder auto, from the shapes (looser than auto-detection). */
function decoderFromShapes(io: ModelIo): DecoderName {
  const input = io.inputs[0];
  const shapes = io.outputs.map((o) => `[${o.shape.join(',')}]`).join(' ');
  if (!input || input.shape.length !== 4) throw new DetectInputError(`Detection needs one image input [1, H, W, C] or [1, C, H, W]; this model takes ${io.inputs.map((i) => `[${i.shape.join(',')}]`).join(' ')}.`);
  const { width, height } = inputSize(input.shape);
  try {
    return chooseDecoder(io.outputs.map((o) => o.shape), width, height);
  } catch (error) {
    if (!(error instanceof DetectInputError)) throw error;
    throw new DetectInputError(`Cannot tell the detector head from the outputs ${shapes}; pick the decoder (YOLOv8, NanoDet or SSD) in the task settings.`);
  }
}
