// quantizeModel with its float passes counted: the calibration pass reports progress once per
// forward it ran, and every sample a second stream yields would be one more forward.
import type { ModelGraph } from '../../src-main/graph/model-graph';
import { calibrator, openCalibrationSamples } from '../../src-main/quantize/calibration/index';
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
