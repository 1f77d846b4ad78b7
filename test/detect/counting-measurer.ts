// The real detector-fix measurer, counted: its quantizations (by recipe name or mode) and the
// passes its fixes make over the calibration samples. `reuse: false` drops what the conversion
// hands over (its own int8 model and the calibration pass's mean layer inputs), which is how the
// measurement ran before it reused them. Shared by the reuse test and its benchmark.
import { detectorFixMeasurer, measureDetectorFixes } from '../../src-main/detect/fixes/measure';
import { quantizeModel } from '../../src-main/quantize/index';
import type { DetectorFixMeasurer, MeasureInput } from '../../src-main/quantize/detector/types';

export interface MeasurerCounts {
  quantizations: string[];
  /** Times a fix's quantization iterated the calibration samples (bias correction's own pass). */
  calibrationPasses: number;
  /** What the conversion handed over to the last measurement. */
  handedOver: { plain: boolean; biasMeans: boolean };
  /** CPU time of the last measurement, in ms. */
  cpuMs: number;
}

export function newCounts(): MeasurerCounts {
  return { quantizations: [], calibrationPasses: 0, handedOver: { plain: false, biasMeans: false }, cpuMs: 0 };
}

export function countingMeasurer(counts: MeasurerCounts, reuse: boolean): DetectorFixMeasurer {
  return {
    recognises: detectorFixMeasurer.recognises,
    measure: async (input) => {
      counts.handedOver = { plain: input.plain !== undefined, biasMeans: input.biasMeans !== undefined };
      const { plain: _plain, biasMeans: _biasMeans, ...rest } = input;
      const given: MeasureInput = reuse ? input : rest;
      const samples = given.calibrationSamples;
      const counted: MeasureInput = samples
        ? {
            ...given,
            calibrationSamples: () => {
              counts.calibrationPasses++;
              return samples();
            },
          }
        : given;
      const start = process.cpuUsage();
      try {
        return await measureDetectorFixes(counted, 'litert-js', (model, config, options) => {
          counts.quantizations.push(options?.recipe?.name ?? config.mode);
          return quantizeModel(model, config, options);
        });
      } finally {
        const cpu = process.cpuUsage(start);
        counts.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
      }
    },
  };
}
