// `edgequant convert MODEL [WEIGHTS.h5] -o OUT.tflite [...]`: import a Keras / TF.js / TFLite
// model, run the float passes, optionally quantize, and write a .tflite. With --project the
// conversion is recorded as a run of that project.
import { resolve } from 'node:path';
import { InputError } from '../../errors';
import { convertModel, type ConvertOutcome } from '../../convert/pipeline';
import type { CalibrationMethod, ConvertRequest, IoType, QuantizeMode, WeightRounding } from '../../convert/types';
import type { RunRecord } from '../../projects/types';
import { detectorFixMeasurer } from '../../detect/fixes/measure';
import { DETECTOR_FIXES } from '../../quantize/detector/apply';
import { recommendationLines } from '../../quantize/detector/types';
import { ioQuantFormulasText } from '../../quantize/formulas';
import { parseSelector } from '../../quantize/node-selectors';
import { checkIoTypes, requirementsFor } from '../../quantize/recipe';
import { parseCommandArgs, parseOneOf, parsePositiveInt, parseShape, printJson, type Command } from '../command';
import { GPTQ_COST, gptqCostText } from '../../../src-common/gptq-cost';

const USAGE = `Usage: edgequant convert MODEL [WEIGHTS.h5] -o OUT.tflite [--quantize none|fp16|dynamic|int8|int16x8]
                         [--calibration DIR|FILE.npy|FILE.npz] [--preprocess 0..1|-1..1|0..255|imagenet|caffe|FILE.json]
                         [--samples N] [--calibration-method minmax|percentile|mse] [--weight-rounding nearest|gptq]
                         [--no-bias-correction] [--input-type float32|int8|uint8|int16] [--output-type float32|int8|uint8|int16] [--int8-only]
                         [--recipe FILE.json] [--keep-float NAME|/REGEX/]... [--input-shape 1,H,W,C] [--unroll-rnn] [--outputs NAME[,NAME]]
                         [--detector-fix split|head-float|head-int16|none] [--project DIR] [--workers N] [--json]

MODEL is a Keras .h5 / .keras file, a Keras to_json() config (give its weights .h5 after it;
without weights the architecture is converted with seeded random weights), a TF.js model.json,
a SavedModel folder or a float .tflite. --input-shape pins dynamic input dims.
--outputs (TF.js graph models, SavedModels) ends the graph at the named tensors, so in-graph
post-processing after them (NMS, decoding) stays on the host; 'inspect' suggests the names.
--unroll-rnn lowers Keras LSTM layers step by step into plain ops (as Keras' unroll=True; GRU
and SimpleRNN always are): a larger graph without variable tensors, so LiteRT.js runs it too.
--weight-rounding gptq (needs --calibration) chooses each layer's stored weights so that its
outputs on the calibration data stay closest to float, instead of rounding each weight alone
(nearest, as the TFLite converter does, and the default for every mode). Its cost, measured
on MobileNetV2 224 with 100 samples (${GPTQ_COST.measured}, one worker):
${gptqCostText()}. int8 sums its
statistics in calibration's own pass; fp16 makes one pass per layer, each starting where the
last one's final layers end.
Bias correction (on by default for dynamic, int8, int16x8 with nearest rounding, wherever there is
--calibration; --no-bias-correction turns it off) shifts each layer's bias by its int8 weights'
rounding error times the layer's mean input on the calibration samples (int8 / int16x8: summed
in calibration's own pass; dynamic: one float pass): a layer whose input has a large mean, as
after ReLUs and max-pools, otherwise carries a constant offset per channel (README).
--recipe replaces the mode's preset with a JSON recipe (rules: which ops or which nodes, which
algorithm or precision, how weights are stored; the presets are in src-main/quantize/recipes/).
--keep-float (repeatable) keeps the nodes named (node or tensor name, or /REGEX/ over the whole
name) float32 with QUANTIZE/DEQUANTIZE around them: node rules ahead of the recipe's op rules.
A name or regex that matches no node is an error listing the 3 closest names.
--detector-fix (detectors: a concatenated boxes+scores output, a DFL head, or outputs the
detect decoders read): split makes each channel group of a concatenated output its own output
(<output>_boxes, <output>_scores, in the concatenation's order) with its own quantization;
head-float keeps the head (the last prediction layers, DFL, the final concatenation) float32;
head-int16 gives it int16x8; none leaves the model as it is. Without the flag an int8 detector
is written with none, and every fix is measured on 20% of --calibration held out (SQNR per output
group, mAP against the float detections) to recommend one.
--project DIR records the conversion as a run of that project (hashes, artifacts, metrics) and,
with --calibration, holds 20% of that data out of calibration and evaluates float vs quantized on it.
--workers N splits calibration's samples across N compute threads, each with its own TF.js
backend (default: the cores available but one; the ranges are the same for any N), and so do
int8 gptq's statistics (equal within float rounding) and a --project run's held-out evaluation
(each thread its own LiteRT.js; the figures are the same for any N).
--json prints the output size, op histogram, I/O, timings, the quantization report (ops left
float and why, per-layer weight SQNR, checks) and the I/O formulas as one JSON document.`;

const MODES: QuantizeMode[] = ['none', 'fp16', 'dynamic', 'int8', 'int16x8'];
const IO_TYPES: IoType[] = ['float32', 'int8', 'uint8', 'int16'];
const METHODS: CalibrationMethod[] = ['minmax', 'percentile', 'mse'];
const ROUNDINGS: WeightRounding[] = ['nearest', 'gptq'];

/** Parses convert's argv into a ConvertRequest (exported for the app and tests). */
export function parseConvertArgs(argv: string[], cwd: string): { request: ConvertRequest; project?: string; json: boolean } {
  const { values, positionals } = parseCommandArgs('convert', argv, {
    output: { type: 'string', short: 'o' },
    quantize: { type: 'string' },
    calibration: { type: 'string' },
    preprocess: { type: 'string' },
    samples: { type: 'string' },
    'calibration-method': { type: 'string' },
    'weight-rounding': { type: 'string' },
    'bias-correction': { type: 'boolean', default: false },
    'no-bias-correction': { type: 'boolean', default: false },
    'input-type': { type: 'string' },
    'output-type': { type: 'string' },
    'int8-only': { type: 'boolean', default: false },
    'input-shape': { type: 'string' },
    'unroll-rnn': { type: 'boolean', default: false },
    outputs: { type: 'string' },
    recipe: { type: 'string' },
    'keep-float': { type: 'string', multiple: true },
    'detector-fix': { type: 'string' },
    project: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length < 1 || positionals.length > 2) {
    throw new InputError(`convert needs MODEL (and optionally its WEIGHTS.h5) (see 'edgequant convert --help').`);
  }
  if (!values.output) throw new InputError(`convert needs -o OUT.tflite (see 'edgequant convert --help').`);
  const mode = parseOneOf('--quantize', values.quantize, MODES, 'none');
  const request: ConvertRequest = {
    model: resolve(cwd, positionals[0]!),
    output: resolve(cwd, values.output),
    quantize: {
      mode,
      inputType: parseOneOf('--input-type', values['input-type'], IO_TYPES, 'float32'),
      outputType: parseOneOf('--output-type', values['output-type'], IO_TYPES, 'float32'),
      int8Only: values['int8-only'] ?? false,
    },
  };
  if (values.recipe) {
    if (mode === 'none') throw new InputError('--recipe needs --quantize fp16|dynamic|int8|int16x8.');
    request.quantize.recipe = resolve(cwd, values.recipe);
  }
  const keepFloat = values['keep-float'] ?? [];
  if (keepFloat.length) {
    if (mode === 'none') throw new InputError('--keep-float needs --quantize fp16|dynamic|int8|int16x8.');
    for (const text of keepFloat) parseSelector(text, '--keep-float');
    request.quantize.keepFloat = keepFloat;
  }
  if (values['detector-fix'] !== undefined) {
    if (mode === 'none') throw new InputError('--detector-fix needs --quantize fp16|dynamic|int8|int16x8.');
    request.detectorFix = parseOneOf('--detector-fix', values['detector-fix'], DETECTOR_FIXES, 'none');
  }
  if (values['weight-rounding'] !== undefined) {
    if (mode === 'none') throw new InputError('--weight-rounding needs --quantize fp16|dynamic|int8|int16x8.');
    request.quantize.weightRounding = parseOneOf('--weight-rounding', values['weight-rounding'], ROUNDINGS, 'nearest');
    if (request.quantize.weightRounding === 'gptq' && !values.calibration) throw new InputError('--weight-rounding gptq needs --calibration DIR|FILE.npy|FILE.npz (representative inputs).');
  }
  if (values['bias-correction'] && values['no-bias-correction']) throw new InputError('--bias-correction and --no-bias-correction contradict each other.');
  if (values['bias-correction']) {
    if (mode === 'none' || mode === 'fp16') throw new InputError('--bias-correction needs --quantize dynamic|int8|int16x8.');
    if (!values.calibration) throw new InputError('--bias-correction needs --calibration DIR|FILE.npy|FILE.npz (representative inputs).');
    request.quantize.biasCorrection = true;
  }
  if (values['no-bias-correction']) {
    if (mode === 'none' || mode === 'fp16') throw new InputError('--no-bias-correction needs --quantize dynamic|int8|int16x8.');
    request.quantize.biasCorrection = false;
  }
  if (positionals[1]) request.companions = [resolve(cwd, positionals[1])];
  if (values['input-shape']) request.inputShape = parseShape('--input-shape', values['input-shape']);
  if (values['unroll-rnn']) request.unrollRnn = true;
  if (values.outputs !== undefined) {
    const names = values.outputs.split(',').map((n) => n.trim()).filter(Boolean);
    if (names.length === 0) throw new InputError('--outputs needs tensor names, e.g. --outputs boxes,scores.');
    request.outputs = names;
  }
  if (values.workers !== undefined) request.workers = parsePositiveInt('--workers', values.workers, 1);
  const calibrationFlags = [values.preprocess, values.samples, values['calibration-method']].some((v) => v !== undefined);
  if (values.calibration) {
    request.quantize.calibration = {
      path: resolve(cwd, values.calibration),
      samples: parsePositiveInt('--samples', values.samples, 100),
      method: parseOneOf('--calibration-method', values['calibration-method'], METHODS, 'minmax'),
      seed: 0,
      ...(values.preprocess ? { preprocess: values.preprocess } : {}),
    };
  } else if (calibrationFlags) {
    throw new InputError('--preprocess, --samples and --calibration-method need --calibration DIR|FILE.npy|FILE.npz.');
  }
  // What the mode's recipe needs, checked before any import (a --recipe file is checked when read).
  if (!values.recipe) {
    checkIoTypes(request.quantize);
    if (requirementsFor(mode).needsCalibration && !values.calibration) throw new InputError(`--quantize ${mode} needs --calibration DIR|FILE.npy|FILE.npz (representative inputs).`);
  }
  return { request, ...(values.project ? { project: resolve(cwd, values.project) } : {}), json: values.json ?? false };
}

function detectorLines(result: ConvertOutcome): string[] {
  const d = result.detector;
  if (!d) return [];
  const outputs = d.outputs?.length ? ` (outputs ${d.outputs.map((o) => `${o.name} = ${o.replaces}[${o.start}:${o.end}] on axis ${o.axis}`).join(', ')})` : '';
  return [`  detector fix: ${d.applied}${outputs}`, ...(d.recommendation ? recommendationLines(d.recommendation).map((l) => `  ${l}`) : [])];
}

function quantizationLines(result: ConvertOutcome): string[] {
  const q = result.quantization;
  if (!q) return [];
  const floatOps = q.floatOps.length ? q.floatOps.map((f) => `${f.node} (${f.op}: ${f.reason})`).join('; ') : 'none';
  const failed = q.checks.filter((c) => !c.passed).length;
  return [
    `  quantization: ${q.mode} (recipe ${q.recipe}), constants ${q.sizeBytes.before} → ${q.sizeBytes.after} bytes, ${q.checks.length - failed}/${q.checks.length} checks passed`,
    `  left float: ${floatOps}`,
    ...(q.layers.some((l) => l.ruleBy === 'node') ? [`  node rules: ${q.layers.filter((l) => l.ruleBy === 'node').map((l) => `${l.node} ${l.precision}`).join(', ')}`] : []),
    ...detectorLines(result),
    ...(q.weightRounding?.method === 'gptq'
      ? [`  weight rounding: gptq on ${q.weightRounding.compensated} layer(s) over ${q.weightRounding.samples} samples${q.weightRounding.skipped.length ? `; nearest for ${q.weightRounding.skipped.map((l) => `${l.node} (${l.reason})`).join(', ')}` : ''}`]
      : []),
    ...(q.biasCorrection
      ? [`  bias correction: ${q.biasCorrection.corrected} layer(s) over ${q.biasCorrection.samples} samples${q.biasCorrection.skipped.length ? `; not for ${q.biasCorrection.skipped.map((l) => `${l.node} (${l.reason})`).join(', ')}` : ''}`]
      : []),
  ];
}

function summary(result: ConvertOutcome): string {
  const ops = Object.entries(result.opHistogram)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  const io = (list: ConvertOutcome['inputs']): string => list.map((t) => `${t.name} ${t.dtype}[${t.shape.join(',')}]`).join('; ');
  const lines = [
    `Wrote ${result.output} (${result.bytes} bytes, source ${result.sourceBytes} bytes) in ${Math.round(result.timings['totalMs'] ?? 0)} ms`,
    `  inputs: ${io(result.inputs)}`,
    `  outputs: ${io(result.outputs)}`,
    `  ops: ${ops}`,
    ...quantizationLines(result),
    ...(result.compute.backend === 'not loaded' ? [] : [`  compute: TF.js ${result.compute.backend}${result.compute.notes.length ? ` (${result.compute.notes.join('; ')})` : ''}`]),
    ...(result.quantization ? ioQuantFormulasText(result.model).split('\n').map((line) => `  ${line}`) : []),
    ...result.warnings.map((w) => `  warning: ${w}`),
  ];
  return lines.join('\n') + '\n';
}

/** "; evaluated on <data>: SQNR … dB, top-1 agreement …%" when the run evaluated the quantized model. */
function runMetricsText(run: RunRecord, data: string | undefined): string {
  const m = run.metrics;
  if (m.evalSamples === undefined) return '';
  const parts = [data ?? `${m.evalSamples} samples`];
  if (typeof m.sqnrDb === 'number') parts.push(`SQNR ${m.sqnrDb.toFixed(2)} dB`);
  if (typeof m.agreement === 'number') parts.push(`top-1 agreement ${(m.agreement * 100).toFixed(1)}%`);
  return `; evaluated: ${parts.join(', ')}`;
}

function jsonOf(result: ConvertOutcome): Record<string, unknown> {
  const { model: _model, floatModel: _float, ...rest } = result;
  void _model;
  return rest;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a Keras / TF.js / TFLite model to a (quantized) .tflite',
  usage: USAGE,
  async run(argv, io) {
    const { request, project, json } = parseConvertArgs(argv, io.cwd);
    let result: ConvertOutcome;
    if (project) {
      const { convertAsProjectRun } = await import('../../app/convert-run');
      const recorded = await convertAsProjectRun({ project, request }, { output: request.output });
      result = recorded.outcome;
      if (!json) io.stdout(`Recorded as run ${recorded.run.id} of ${project}${runMetricsText(recorded.run, recorded.evaluation?.data)}\n`);
    } else {
      result = await convertModel(request, { detectorFixes: detectorFixMeasurer });
    }
    if (json) printJson(io, jsonOf(result));
    else io.stdout(summary(result));
    return 0;
  },
};
