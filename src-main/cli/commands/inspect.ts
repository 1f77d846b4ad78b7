// `edgequant inspect MODEL [--json]`: what a model file is and what it contains, for any format
// an importer is registered for (opened with collectUnsupported, so every unsupported layer is
// listed at once instead of failing at the first).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InputError, oneLine } from '../../errors';
import { modelSourceBytes } from '../../convert/source-size';
import { runFloatPasses } from '../../graph/passes/index';
import { cloneModel } from '../../quantize/clone';
import { parseCommandArgs, parseShape, printJson, type CliIO, type Command } from '../command';
import { findImporter, openWith } from '../../formats/registry';
import { readOperatorCodes } from '../../tflite/reader';
import { ioQuantFormulas } from '../../quantize/formulas';
import { elementCount, opHistogram, parameterCount, type Graph, type ModelGraph, type QuantParams, type Tensor } from '../../graph/model-graph';

const usage = `Usage: edgequant inspect MODEL [--input-shape 1,H,W,C] [--json]

Prints the model's format, description, inputs and outputs (name, shape, dtype, quantization
with the formula real = scale * (q - zero_point), and for an input the deploying code's
q = clamp(round(x / scale) + zero_point, lo, hi)), the op / layer histogram (for Keras, TF.js and
SavedModel also the ops after the conversion passes: BatchNorm folded, activations fused), the parameter
count, the file size, every unsupported layer, signatures and metadata. --input-shape pins dynamic
input dims of models whose importer needs them (e.g. a fully convolutional TF.js model).
MODEL is a .tflite, .h5/.keras, TF.js model.json or SavedModel folder (any registered format).
Exit codes: 0 ok, 2 the file is missing, unknown or not a valid model.`;

export interface TensorReport {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { scale: number[]; zeroPoint: number[]; axis?: number; formula: string; deploy?: string };
}

export interface InspectReport {
  file: string;
  format: string;
  formatTitle: string;
  description: string;
  sizeBytes: number;
  graphs: { name: string; tensors: number; ops: number }[];
  inputs: TensorReport[];
  outputs: TensorReport[];
  ops: Record<string, number>;
  /**
   * Ops after the float conversion passes (BatchNorm folded, activations fused, …) for Keras,
   * TF.js and SavedModel inputs; absent for .tflite, `{ error }` when the passes cannot run.
   */
  opsAfterConversion?: Record<string, number> | { error: string };
  /** Source layer classes (Keras / TF.js) when the importer recorded them. */
  layers: Record<string, number>;
  parameters: number;
  unsupported: ModelGraph['unsupported'];
  signatures: ModelGraph['signatures'];
  metadata: Record<string, string>;
  /** TFLite operator code versions (what a board's runtime must support); absent for other formats. */
  operatorVersions?: Record<string, number>;
}

/** The op histogram after the float conversion passes (on a copy), as `convert` would write it. */
function opsAfterConversion(model: ModelGraph): Record<string, number> | { error: string } {
  const copy = cloneModel(model);
  try {
    runFloatPasses(copy);
  } catch (error) {
    // Reported in the output, not hidden: the source histogram above still stands.
    return { error: oneLine(error) };
  }
  return copy.graphs[0] ? opHistogram(copy.graphs[0]) : {};
}

const num = (x: number) => Number(x.toPrecision(6)).toString();

function formula(q: QuantParams): string {
  if (q.scale.length !== 1) return `real = scale[c] * (q - zero_point[c]), per channel on axis ${q.axis ?? 0} (${q.scale.length} channels)`;
  const zp = q.zeroPoint[0] ?? 0;
  const shift = zp === 0 ? 'q' : zp < 0 ? `q + ${-zp}` : `q - ${zp}`;
  return `real = ${num(q.scale[0] as number)} * (${shift})`;
}

/** `deploy`: the arithmetic the deploying code applies at this graph edge (quantize/formulas.ts). */
function tensorReport(tensor: Tensor, deploy?: string): TensorReport {
  const report: TensorReport = { name: tensor.name, shape: tensor.shape, dtype: tensor.dtype };
  const q = tensor.quant;
  if (q && q.scale.length > 0) {
    report.quantization = {
      scale: q.scale,
      zeroPoint: q.zeroPoint,
      ...(q.axis !== undefined ? { axis: q.axis } : {}),
      formula: formula(q),
      ...(deploy !== undefined ? { deploy } : {}),
    };
  }
  return report;
}

/** Deploy-direction formulas of the quantized graph edges, by kind and tensor name. */
function deployFormulas(model: ModelGraph): Map<string, string> {
  if (!model.graphs[0]) return new Map();
  return new Map(ioQuantFormulas(model).filter((f) => f.scale !== undefined).map((f) => [`${f.kind}:${f.name}`, f.formula]));
}

function layerHistogram(graph: Graph): Record<string, number> {
  const seen = new Map<string, string>();
  for (const node of graph.nodes) if (node.source) seen.set(node.source.layer, node.source.className);
  const counts: Record<string, number> = {};
  for (const className of seen.values()) counts[className] = (counts[className] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export async function inspectModel(path: string, inputShape?: number[]): Promise<InspectReport> {
  const importer = await findImporter({ path });
  const model = await openWith(importer, { path }, { collectUnsupported: true, ...(inputShape ? { inputShape } : {}) });
  const main = model.graphs[0];
  const tensor = (name: string) => main?.tensors.get(name) ?? { name, dtype: 'float32' as const, shape: [] };
  const deploy = deployFormulas(model);
  return {
    file: path,
    format: model.format,
    formatTitle: importer.title,
    description: model.description,
    // Every file of the model: TF.js shards, a whole SavedModel folder.
    sizeBytes: await modelSourceBytes({ path }),
    graphs: model.graphs.map((g) => ({ name: g.name, tensors: g.tensors.size, ops: g.nodes.length })),
    inputs: (main?.inputs ?? []).map((n) => tensorReport(tensor(n), deploy.get(`input:${n}`))),
    outputs: (main?.outputs ?? []).map((n) => tensorReport(tensor(n), deploy.get(`output:${n}`))),
    ops: main ? opHistogram(main) : {},
    layers: main ? layerHistogram(main) : {},
    ...(model.format !== 'tflite' && model.unsupported.length === 0 ? { opsAfterConversion: opsAfterConversion(model) } : {}),
    parameters: model.graphs.reduce((n, g) => n + parameterCount(g), 0),
    unsupported: model.unsupported,
    signatures: model.signatures,
    metadata: model.metadata,
    ...(importer.name === 'tflite' ? { operatorVersions: await operatorVersions(path) } : {}),
  };
}

async function operatorVersions(path: string): Promise<Record<string, number>> {
  const codes = readOperatorCodes(new Uint8Array(await readFile(path)), { fileName: basename(path) });
  return Object.fromEntries(codes.map((c) => [c.customCode !== undefined ? `CUSTOM:${c.customCode}` : c.builtin, c.version]));
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function tensorLine(t: TensorReport): string {
  const shape = `[${t.shape.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
  const quant = t.quantization ? `  ${t.quantization.formula}` : '';
  const line = `  ${t.name}  ${t.dtype} ${shape} (${elementCount(t.shape)} values)${quant}`;
  return t.quantization?.deploy ? `${line}\n    deploy: ${t.quantization.deploy}` : line;
}

function histogramLines(h: Record<string, number>, versions?: Record<string, number>): string[] {
  const entries = Object.entries(h).sort(([, a], [, b]) => b - a);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  const counts = Math.max(0, ...entries.map(([, v]) => String(v).length));
  return entries.map(([k, v]) => {
    const version = versions?.[k];
    return `  ${k.padEnd(width)}  ${String(v).padStart(counts)}${version !== undefined ? `  (v${version})` : ''}`.trimEnd();
  });
}

export function formatReport(r: InspectReport): string {
  const lines = [
    `${basename(r.file)}: ${r.formatTitle} (${r.format}), ${formatSize(r.sizeBytes)}`,
    ...(r.description ? [`Description: ${r.description}`] : []),
    `Parameters: ${r.parameters.toLocaleString('en-US')}`,
    `Graphs: ${r.graphs.map((g) => `${g.name} (${g.ops} ops, ${g.tensors} tensors)`).join(', ') || 'none'}`,
    'Inputs:',
    ...(r.inputs.length ? r.inputs.map(tensorLine) : ['  (none)']),
    'Outputs:',
    ...(r.outputs.length ? r.outputs.map(tensorLine) : ['  (none)']),
    `Ops (${Object.values(r.ops).reduce((a, b) => a + b, 0)}):`,
    ...histogramLines(r.ops, r.operatorVersions),
  ];
  const after = r.opsAfterConversion;
  if (after && 'error' in after && typeof after.error === 'string') lines.push(`Ops after conversion: not available (${after.error})`);
  else if (after) {
    const counts = after as Record<string, number>;
    lines.push(`Ops after conversion (${Object.values(counts).reduce((a, b) => a + b, 0)}):`, ...histogramLines(counts));
  }
  if (Object.keys(r.layers).length) lines.push('Source layers:', ...histogramLines(r.layers));
  if (r.signatures.length) {
    lines.push('Signatures:');
    for (const s of r.signatures) lines.push(`  ${s.key} (subgraph ${s.subgraph}): inputs ${Object.keys(s.inputs).join(', ') || '-'}; outputs ${Object.keys(s.outputs).join(', ') || '-'}`);
  }
  if (Object.keys(r.metadata).length) {
    lines.push('Metadata:');
    for (const [k, v] of Object.entries(r.metadata)) lines.push(`  ${k}: ${v}`);
  }
  if (r.unsupported.length) {
    lines.push(`Unsupported layers (${r.unsupported.length}; conversion will refuse this model):`);
    for (const u of r.unsupported) lines.push(`  ${u.layer} (${u.className}): ${u.reason}`);
  } else {
    lines.push('Unsupported layers: none');
  }
  return lines.join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', argv, { json: { type: 'boolean' }, 'input-shape': { type: 'string' } });
  if (positionals.length !== 1) throw new InputError(`inspect: expected exactly one MODEL path (see 'edgequant inspect --help').`);
  const shape = values['input-shape'] === undefined ? undefined : parseShape('--input-shape', values['input-shape']);
  const report = await inspectModel(resolve(io.cwd, positionals[0] as string), shape);
  if (values.json) printJson(io, report);
  else io.stdout(formatReport(report));
  return 0;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show format, inputs/outputs, quantization, op histogram, size and unsupported layers of a model',
  usage,
  run,
};
