// Measures each detector fix on held-out samples in a real TFLite runtime: the float model and
// every fixed-and-quantized variant run on the same inputs; a split model's outputs are joined
// back into the original layout so all variants are judged alike. Figures per fix: SQNR of each
// channel group of a concatenated output (and of every other output), and mAP against the float
// model's detections when a decoder reads the outputs. The best fix is recommended, not applied.
import { mainGraph, type ModelGraph } from '../../graph/model-graph';
import { fromRuntimeOutput, toRuntimeInput } from '../../evaluate/io';
import { quantizeModel } from '../../quantize/index';
import { getRuntime } from '../../runtime/index';
import type { RuntimeName } from '../../runtime/types';
import { ErrorAccumulator } from '../../validation/sqnr';
import { detectionMetrics, type ImageBoxes } from '../ap';
import { chooseDecoder, DEFAULT_DETECT, detect, inputSize } from '../decode';
import type { DecoderName } from '../decoders/types';
import { applicableFixes, applyDetectorFix, type AppliedFix, type DetectorFix } from '../../quantize/detector/apply';
import type { DetectorHead } from '../../quantize/detector/head';
import { splitStatistics } from '../../quantize/detector/split';
import type { DetectorFixMeasurer, FixFigures, FixRecommendation, MeasureInput } from '../../quantize/detector/types';
import { DetectInputError } from '../errors';
import { concatAxis, sliceAxis } from '../../graph/axis-layout';

type Outputs = Map<string, Float32Array>;

/** Runs `bytes` on every sample; outputs dequantized, keyed by tensor name. */
async function runAll(bytes: Uint8Array, samples: Float32Array[][], runtime: RuntimeName): Promise<Outputs[]> {
  const model = await getRuntime(runtime).load(bytes);
  try {
    const results: Outputs[] = [];
    for (const inputs of samples) {
      await model.reset();
      const outs = await model.run(inputs.map((x, i) => toRuntimeInput(x, model.inputs[i]!)));
      results.push(new Map(outs.map((o, i) => [model.outputs[i]!.name, Float32Array.from(fromRuntimeOutput(o, model.outputs[i]!))])));
    }
    return results;
  } finally {
    model.dispose();
  }
}

/** A variant's outputs in the float model's output layout (split parts joined back). */
function asOriginal(outputs: Outputs, applied: AppliedFix, floatModel: ModelGraph): Outputs {
  if (!applied.split) return outputs;
  const graph = mainGraph(applied.model);
  const joined = new Map(outputs);
  for (const name of mainGraph(floatModel).outputs) {
    const parts = applied.split.outputs.filter((p) => p.replaces === name);
    if (!parts.length) continue;
    joined.set(name, concatAxis(parts.map((p) => outputs.get(p.name)!), parts.map((p) => graph.tensors.get(p.name)!.shape), parts[0]!.axis));
  }
  return joined;
}

function partFigures(head: DetectorHead, floatModel: ModelGraph, reference: Outputs[], test: Outputs[]): FixFigures['parts'] {
  const graph = mainGraph(floatModel);
  const parts: FixFigures['parts'] = [];
  for (const name of graph.outputs) {
    const shape = graph.tensors.get(name)!.shape;
    const c = head.concatOutputs.find((o) => o.output === name);
    const cuts = c ? c.groups.map((g) => ({ label: `${name}:${g.label}`, start: g.start, end: g.end })) : [{ label: name, start: -1, end: -1 }];
    for (const cut of cuts) {
      const acc = new ErrorAccumulator();
      reference.forEach((r, k) => {
        const pick = (o: Float32Array) => (cut.start < 0 ? o : sliceAxis(o, shape, c!.outputAxis, cut.start, cut.end));
        acc.add(pick(r.get(name)!), pick(test[k]!.get(name)!));
      });
      parts.push({ name: cut.label, sqnrDb: acc.sqnrDb });
    }
  }
  return parts;
}

function detections(decoder: DecoderName, floatModel: ModelGraph, outputs: Outputs) {
  const graph = mainGraph(floatModel);
  const { width, height } = inputSize(graph.tensors.get(graph.inputs[0]!)!.shape);
  const raw = graph.outputs.map((name) => ({ shape: graph.tensors.get(name)!.shape, data: outputs.get(name)! }));
  return detect(raw, { decoder, inputWidth: width, inputHeight: height, ...DEFAULT_DETECT });
}

/** SQNR above this is good enough: a costlier fix is not recommended for more. */
export const ENOUGH_SQNR_DB = 30;

/**
 * The best fix: the highest mean of mAP@0.5 and mAP@0.5:0.95 against float; among near-ties (or
 * without a decoder) the highest worst-group SQNR, capped at ENOUGH_SQNR_DB; among near-ties
 * again, the cheapest (figures come cheapest first: applicableFixes).
 */
export function bestFix(figures: FixFigures[]): DetectorFix {
  const usable = figures.filter((f) => !f.error);
  const near = <T>(list: T[], score: (x: T) => number, margin: number): T[] => {
    const top = Math.max(...list.map(score));
    return list.filter((x) => score(x) >= top - margin);
  };
  const map = (f: FixFigures) => (typeof f.map50 === 'number' ? (f.map50 + (f.map5095 ?? 0)) / 2 : 0);
  const sqnr = (f: FixFigures) => Math.min(ENOUGH_SQNR_DB, ...f.parts.map((p) => p.sqnrDb));
  return near(near(usable, map, 0.005), sqnr, 0.5)[0]?.fix ?? 'none';
}

/** The decoder the float model's output shapes call for; undefined when none reads them. */
export function decoderFor(model: ModelGraph): DecoderName | undefined {
  const graph = mainGraph(model);
  const input = graph.tensors.get(graph.inputs[0] ?? '');
  if (graph.inputs.length !== 1 || input?.shape.length !== 4) return undefined;
  try {
    const { width, height } = inputSize(input.shape);
    return chooseDecoder(graph.outputs.map((o) => graph.tensors.get(o)!.shape), width, height);
  } catch (error) {
    if (error instanceof DetectInputError) return undefined; // no decoder reads these outputs
    throw error;
  }
}

/** `quantize`: the quantizer (a test counts its calls through it). */
export async function measureDetectorFixes(input: MeasureInput, runtime: RuntimeName = 'litert-js', quantize: typeof quantizeModel = quantizeModel): Promise<FixRecommendation> {
  const { floatModel, head, samples } = input;
  const decoder = decoderFor(floatModel);
  const reference = await runAll(input.write(floatModel), samples, runtime);
  const floatBoxes = decoder ? reference.map((r) => detections(decoder, floatModel, r)) : [];
  const fixes: FixFigures[] = [];
  for (const fix of applicableFixes(head)) {
    if (input.signal?.aborted) break;
    try {
      const applied = applyDetectorFix(floatModel, head, fix, input.recipe);
      const statistics = applied.split ? splitStatistics(input.statistics, applied.split.derived) : input.statistics;
      // none is the conversion's own model when it hands it over: the same config, statistics and recipe.
      const model =
        fix === 'none' && input.plain
          ? input.plain
          : (
              await quantize(applied.model, input.config, {
                statistics,
                recipe: applied.recipe,
                ...(input.biasMeans ? { biasMeans: input.biasMeans } : {}),
                ...(input.calibrationSamples ? { samples: input.calibrationSamples } : {}),
                ...(input.signal ? { signal: input.signal } : {}),
              })
            ).model;
      const test = (await runAll(input.write(model), samples, runtime)).map((o) => asOriginal(o, applied, floatModel));
      const figures: FixFigures = { fix, parts: partFigures(head, floatModel, reference, test) };
      if (decoder) {
        const pairs: ImageBoxes[] = test.map((o, k) => ({ predicted: detections(decoder, floatModel, o), truth: floatBoxes[k]! }));
        const m = detectionMetrics(pairs);
        Object.assign(figures, { map50: m.map50, map5095: m.map5095 });
      }
      fixes.push(figures);
    } catch (error) {
      // Reported with the figures (the recommendation names why a fix has none), never dropped.
      fixes.push({ fix, parts: [], error: (error as Error).message });
    }
  }
  return { samples: samples.length, runtime, ...(decoder ? { decoder } : {}), fixes, best: bestFix(fixes) };
}

/** The measurer the CLI and the app inject into the conversion (LiteRT.js, the detect decoders). */
export const detectorFixMeasurer: DetectorFixMeasurer = {
  recognises: (model) => decoderFor(model) !== undefined,
  measure: (input) => measureDetectorFixes(input),
};
