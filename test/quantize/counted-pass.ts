// The one-pass tests' runs: quantizeModel with its float passes counted, and calibration's
// statistics with a tap summing along. Counting: the calibration pass reports progress once per
// forward it ran, and every sample a second stream yields would be one more forward.
import type { Graph, ModelGraph } from '../../src-main/graph/model-graph';
import { calibrator, collectStatistics, inputSpecs, openCalibrationSamples, openDataset } from '../../src-main/quantize/calibration/index';
import type { GptqTap } from '../../src-main/quantize/rounding/calibration-tap';
import { quantizeModel } from '../../src-main/quantize/index';

type Spec = Parameters<typeof openCalibrationSamples>[0];
type Config = Parameters<typeof quantizeModel>[1];

export async function quantizeCountingPasses(
  makeGraph: () => ModelGraph,
  config: Config,
  spec: Spec,
): Promise<{ result: Awaited<ReturnType<typeof quantizeModel>>; calibrationForwards: number; samplesRead: number }> {
  let calibrationForwards = 0;
  let samplesRead = 0;
  const stream = await openCalibrationSamples(spec, makeGraph());
  const samples = async function* () {
    for await (const x of stream.samples()) {
      samplesRead++;
      yield x;
    }
  };
  const calibrate = calibrator(spec, [], (done) => (calibrationForwards = done));
  const result = await quantizeModel(makeGraph(), config, { calibrate, samples }).finally(() => stream.close());
  return { result, calibrationForwards, samplesRead };
}

/** Calibration statistics of `graph` on the first `samples` of `npy`, on `workers` threads, with `tap` summing along. */
export async function statisticsWithTap(graph: Graph, npy: string, samples: number, method: 'minmax' | 'percentile', workers: number, tap?: GptqTap) {
  const dataset = await openDataset(npy, inputSpecs(graph), { samples, seed: 0 });
  return collectStatistics(graph, dataset, { method, workers, ...(tap ? { gptq: tap } : {}) }).finally(() => dataset.close());
}
