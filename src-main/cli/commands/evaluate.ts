// `edgequant evaluate FLOAT_MODEL QUANT.tflite --data DIR|FILE.npy|FILE.npz`: both models in a
// real TFLite runtime on the same data; SQNR, cosine, max error, top-1 agreement, accuracy,
// sizes and latency. A human table, or one JSON document with --json.
import { resolve } from 'node:path';
import { parseCommandArgs, parsePositiveInt, parseShape, printJson, type Command } from '../command';
import { InputError } from '../../errors';
import { evaluate, formatReport, reportJson } from '../../evaluate/index';
import type { RuntimeName } from '../../runtime/types';
import { evaluateDetector, formatDetectionReport } from '../../detect/index';
import { classificationRun } from '../../evaluate/classification-run';
import { formatClassification } from '../../evaluate/classification-report';
import { runClassNames } from '../../app/run-classification';
import { DETECT_FLAGS, detectOnly, detectRequest } from './evaluate-detect-flags';

const USAGE = `Usage: edgequant evaluate FLOAT_MODEL QUANT.tflite --data DIR|FILE.npy|FILE.npz
                          [--labels FILE.npy] [--preprocess 0..1|-1..1|0..255|imagenet|caffe|FILE.json]
                          [--samples N] [--runtime litert-js|tflite-node] [--runs N] [--warmup N]
                          [--input-shape 1,H,W,C] [--weights FILE.h5] [--unroll-rnn] [--layers N] [--workers N] [--json]
                          [--task detect [--decoder yolov8|nanodet|ssd|auto] [--labels DIR]
                           [--classes FILE] [--score 0.25] [--iou 0.45] [--max-detections 100]
                           [--box-scale pixels|normalized|auto]]

Runs the float model (a .tflite, or a Keras/TF.js model converted to float .tflite first) and the
quantized .tflite on the same samples in the same TFLite runtime (a Keras to_json() config takes
its weights with --weights FILE.h5, and --unroll-rnn as convert did), quantizing int8/uint8 inputs and
dequantizing outputs with each model's own parameters. Reports per output: SQNR, cosine similarity,
max abs error, top-1 agreement; label accuracy with --labels (.npy, one per sample) or image
sub-folders named by class (0, 1, 2… are class indices; other names count in sorted order);
file sizes and their ratio; local latency median / p90 after warm-up (--runs 0 skips it).
A classifier (an output of class scores) also gets the classification results a Studio run
shows: both models' accuracy, per-class accuracy and the classes predictions moved between
(class names from the folders, or a labels/classes file next to the model or the data).
--layers N also compares every layer (tensors both graphs name alike) on N samples, running both
graphs in the IR interpreter, the quantized one simulated; the table lists the 10 worst layers.
--task detect decodes both models' outputs into boxes (score threshold, per-class NMS) and reports
mAP@0.5 and mAP@0.5:0.95, per-class AP, mean IoU of matched boxes, missed and extra boxes of the
quantized model against the float model's detections; with --labels DIR (YOLO txt, one per image:
'class cx cy w h' normalised) also both models against the labels.
--workers N splits the samples across N compute threads, each loading its own copy of both models
(default: the cores available but one); the figures equal one thread's exactly. tflite-node runs
in one thread.`;

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Compare a quantized .tflite with its float model on real data',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('evaluate', argv, {
      data: { type: 'string' },
      labels: { type: 'string' },
      preprocess: { type: 'string' },
      samples: { type: 'string' },
      runtime: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'input-shape': { type: 'string' },
      layers: { type: 'string' },
      workers: { type: 'string' },
      weights: { type: 'string' },
      'unroll-rnn': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...DETECT_FLAGS,
    });
    if (values.task !== undefined && values.task !== 'detect') throw new InputError(`--task must be detect (got '${values.task}'); leave it out for classification/regression outputs.`);
    if (positionals.length !== 2) throw new InputError(`evaluate needs FLOAT_MODEL and QUANT.tflite (see 'edgequant evaluate --help').`);
    if (!values.data) throw new InputError(`evaluate needs --data DIR|FILE.npy|FILE.npz (real samples to compare on).`);
    const runtime = values.runtime;
    if (runtime !== undefined && runtime !== 'litert-js' && runtime !== 'tflite-node') throw new InputError(`--runtime must be litert-js or tflite-node (got '${runtime}').`);
    const request = {
      floatModel: resolve(io.cwd, positionals[0]!),
      quantModel: resolve(io.cwd, positionals[1]!),
      ...(values.weights ? { companions: [resolve(io.cwd, values.weights)] } : {}),
      ...(values['unroll-rnn'] ? { unrollRnn: true } : {}),
      data: resolve(io.cwd, values.data),
      ...(values.labels ? { labels: resolve(io.cwd, values.labels) } : {}),
      ...(values.preprocess ? { preprocess: /\.json$/i.test(values.preprocess) ? resolve(io.cwd, values.preprocess) : values.preprocess } : {}),
      ...(values.samples ? { samples: parsePositiveInt('--samples', values.samples, 0) } : {}),
      ...(runtime ? { runtime: runtime as RuntimeName } : {}),
      latencyRuns: values.runs === '0' ? 0 : parsePositiveInt('--runs', values.runs, 50),
      warmup: values.warmup === '0' ? 0 : parsePositiveInt('--warmup', values.warmup, 5),
      ...(values.layers ? { layerSamples: parsePositiveInt('--layers', values.layers, 0) } : {}),
      ...(values['input-shape'] ? { inputShape: parseShape('--input-shape', values['input-shape']) } : {}),
    };
    const workers = values.workers !== undefined ? { workers: parsePositiveInt('--workers', values.workers, 1) } : {};
    if (values.task === 'detect') {
      const { labels: _labels, ...rest } = request;
      const report = await evaluateDetector(rest, detectRequest(values, io.cwd), workers);
      if (values.json) printJson(io, reportJson(report));
      else io.stdout(formatDetectionReport(report));
      return 0;
    }
    if (detectOnly(values)) throw new InputError(`${detectOnly(values)} only applies with --task detect.`);
    const warnings: string[] = [];
    const classNames = await runClassNames(request.floatModel, request.data, (w) => warnings.push(w));
    const classes = classificationRun();
    const report = await evaluate({ ...request, ...(classNames ? { classNames } : {}) }, { ...workers, onSample: (sample) => classes.onSample(sample) });
    report.warnings.push(...warnings);
    const classification = (await classes.finish({ classes: report.classes ?? classNames?.names, outputs: report.outputs.map((o) => o.name) }))?.results;
    if (values.json) printJson(io, { ...(reportJson(report) as object), ...(classification ? { classification } : {}) });
    else io.stdout(formatReport(report) + (classification ? `\n${formatClassification(classification)}` : ''));
    return 0;
  },
};
