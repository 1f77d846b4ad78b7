// The classification results of one evaluation, as a run keeps them: a collector fed from the
// evaluation's per-sample hook (no second pass over the data), then the results and, for image
// inputs, one small PNG per changed-prediction sample drawn from the inputs the models were fed.
import { renderSamplePng } from '../data/preview';
import type { SampleOutputs } from './evaluate';
import { ClassificationCollector, type ClassificationResults } from './classification';
import { isClassification } from './metrics';

/** Thumbnails are at most this many pixels a side (a 28×28 digit stays as it is). */
export const THUMBNAIL_SIDE = 96;

export interface ClassificationRun {
  /** Pass to evaluate()'s onSample. */
  onSample(sample: SampleOutputs): void;
  /** The results (undefined when no output is a score vector) and the thumbnails of `changed.shown`. */
  finish(names: { classes?: string[]; outputs: string[] }): Promise<{ results: ClassificationResults; thumbnails: string[] } | undefined>;
}

/** The first output that is a score vector [1, K] (K ≥ 2) and not as large as an input (a reconstruction). */
function scoreOutput(sample: SampleOutputs): number {
  const size = (shape: number[]) => shape.reduce((n, d) => n * d, 1);
  const inputSizes = new Set(sample.inputShapes.map(size));
  return sample.outputShapes.findIndex((shape) => isClassification(shape) && !inputSizes.has(size(shape)));
}

export function classificationRun(): ClassificationRun {
  let collector: ClassificationCollector | undefined;
  let output = -2;
  let inputShape: number[] = [];
  return {
    onSample(sample) {
      if (output === -2) {
        output = scoreOutput(sample);
        inputShape = sample.inputShapes[0] ?? [];
        if (output >= 0) collector = new ClassificationCollector(`output ${output}`, sample.outputShapes[output]!.at(-1)!);
      }
      if (!collector) return;
      collector.add(sample, sample.float[output]!, sample.quant[output]!);
    },
    async finish(names) {
      if (!collector) return undefined;
      const results = { ...collector.result(names.classes), output: names.outputs[output] ?? collector.output };
      const thumbnails = await drawThumbnails(collector.changedInputs(), inputShape);
      return { results, thumbnails };
    },
  };
}

/** PNGs (base64) of image inputs [1,H,W,1|3]; none for other inputs (sequences, tabular data). */
async function drawThumbnails(inputs: Float32Array[][], shape: number[]): Promise<string[]> {
  const [batch, height, width, channels] = shape;
  if (shape.length !== 4 || batch !== 1 || !(height! > 1 && width! > 1) || (channels !== 1 && channels !== 3)) return [];
  const out: string[] = [];
  for (const values of inputs) {
    const first = values[0];
    if (!first || first.length !== height! * width! * channels) return [];
    out.push((await renderSamplePng(first, width!, height!, channels, { atMost: THUMBNAIL_SIDE })).toString('base64'));
  }
  return out;
}
