// `edgequant debug FLOAT_MODEL (--quantize MODE --calibration … | --quantized FILE.tflite) --data …`:
// where does int8 lose accuracy? Per-layer error (whole model and layer alone), sensitivity,
// weight statistics and the reason each bad layer is hard, on held-out data.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { QuantizeConfig, QuantizeMode, WeightRounding } from '../../convert/types';
import { debugCsv, debugQuantization, debugTable } from '../../debug/index';
import { InputError } from '../../errors';
import { DETECTOR_FIXES } from '../../quantize/detector/apply';
import { parseCommandArgs, parseOneOf, parsePositiveInt, parseShape, printJson, type Command } from '../command';

const USAGE = `Usage: edgequant debug FLOAT_MODEL [WEIGHTS.h5] --data DIR|FILE.npy|FILE.npz
                       (--quantize fp16|dynamic|int8|int16x8 [--calibration DIR|FILE.npy|FILE.npz] [--samples N]
                        [--weight-rounding nearest|gptq] [--recipe FILE.json] | --quantized QUANT.tflite)
                       [--preprocess 0..1|-1..1|0..255|imagenet|caffe|FILE.json] [--data-samples N]
                       [--sensitivity-samples N] [--input-shape 1,H,W,C] [--detector-fix split|head-float|head-int16]
                       [--workers N] [--json] [--csv FILE.csv]

Finds the layers where quantization loses accuracy. The float model and the quantized one (made
here, or --quantized) run side by side in the IR interpreter on held-out data (--data: not the
calibration samples), which observes every tensor. For each quantized layer:
  accumulated error  the layer's output in the whole quantized model vs float
  isolated error     only this layer quantized (inputs, weights, output on their grids), rest float
  saturation, levels the share of values clipped, and of integer levels used
  rmse/scale         ≈0.29 is pure rounding noise; much more means lost precision
  sensitivity        the outputs' SQNR when only this layer is quantized, and when only it is float
                     (--sensitivity-samples, default 8; 0 skips this, the costly part)
  weights            per-channel range spread and outlier channels
Layers are ranked most harmful first, each with the reason it is hard. --data-samples (default 32)
sets how many held-out samples are measured. --csv writes every row; --json prints the report.
--detector-fix quantizes with that fix (see 'edgequant convert --help'), or tells that --quantized
was made with it; with split the float model is split the same way, so the boxes and the scores
are outputs of their own, each weighing in the sensitivity.
--workers N splits the samples across N compute threads (default: the cores but one); the
figures are the same for any N.`;

const MODES = ['fp16', 'dynamic', 'int8', 'int16x8'] as const;

export const debugCommand: Command = {
  name: 'debug',
  summary: 'Find the layers that lose accuracy when quantized, and why',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('debug', argv, {
      data: { type: 'string' },
      quantize: { type: 'string' },
      quantized: { type: 'string' },
      calibration: { type: 'string' },
      samples: { type: 'string' },
      'weight-rounding': { type: 'string' },
      recipe: { type: 'string' },
      preprocess: { type: 'string' },
      'data-samples': { type: 'string' },
      'sensitivity-samples': { type: 'string' },
      'input-shape': { type: 'string' },
      workers: { type: 'string' },
      'detector-fix': { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'string' },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new InputError(`debug needs FLOAT_MODEL (and optionally its WEIGHTS.h5) (see 'edgequant debug --help').`);
    if (!values.data) throw new InputError('debug needs --data DIR|FILE.npy|FILE.npz (held-out samples, not the calibration set).');
    if (values.quantize !== undefined && values.quantized !== undefined) throw new InputError('debug takes --quantize MODE or --quantized FILE.tflite, not both.');
    const preprocess = values.preprocess && /\.json$/i.test(values.preprocess) ? resolve(io.cwd, values.preprocess) : values.preprocess;
    let quantize: QuantizeConfig | undefined;
    if (values.quantize !== undefined) {
      const mode = values.quantize as QuantizeMode;
      if (!(MODES as readonly string[]).includes(mode)) throw new InputError(`--quantize must be one of ${MODES.join(', ')} (got '${values.quantize}').`);
      quantize = { mode, inputType: 'float32', outputType: 'float32', int8Only: false };
      if (values.calibration) {
        quantize.calibration = { path: resolve(io.cwd, values.calibration), samples: parsePositiveInt('--samples', values.samples, 100), method: 'minmax', seed: 0, ...(preprocess ? { preprocess } : {}) };
      }
      const rounding = values['weight-rounding'];
      if (rounding !== undefined) {
        if (rounding !== 'nearest' && rounding !== 'gptq') throw new InputError(`--weight-rounding must be nearest or gptq (got '${rounding}').`);
        quantize.weightRounding = rounding as WeightRounding;
      }
      if (values.recipe) quantize.recipe = resolve(io.cwd, values.recipe);
    } else if (values.quantized === undefined) {
      throw new InputError('debug needs --quantize fp16|dynamic|int8|int16x8 (with --calibration for int8/int16x8) or --quantized FILE.tflite.');
    }
    const fix = parseOneOf('--detector-fix', values['detector-fix'], DETECTOR_FIXES, 'none');
    const report = await debugQuantization({
      model: resolve(io.cwd, positionals[0]!),
      ...(positionals[1] ? { companions: [resolve(io.cwd, positionals[1])] } : {}),
      ...(quantize ? { quantize } : {}),
      ...(values.quantized ? { quantized: resolve(io.cwd, values.quantized) } : {}),
      data: resolve(io.cwd, values.data),
      ...(preprocess ? { preprocess } : {}),
      samples: parsePositiveInt('--data-samples', values['data-samples'], 32),
      sensitivitySamples: values['sensitivity-samples'] === '0' ? 0 : parsePositiveInt('--sensitivity-samples', values['sensitivity-samples'], 8),
      ...(values['input-shape'] ? { inputShape: parseShape('--input-shape', values['input-shape']) } : {}),
      ...(fix !== 'none' ? { detectorFix: fix } : {}),
    }, values.workers !== undefined ? { workers: parsePositiveInt('--workers', values.workers, 1) } : {});
    if (values.csv) await writeFile(resolve(io.cwd, values.csv), debugCsv(report));
    if (values.json) printJson(io, report);
    else io.stdout(debugTable(report));
    return 0;
  },
};
