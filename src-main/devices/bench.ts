// Benchmark a model on a device: deploy it (hash-checked), run the board-side runner with
// warm-up + timed runs, and with real inputs compare the board's outputs to the desktop's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoardTransport, TransferProgress } from './transport';
import type { DeviceConfig } from './types';
import type { DeviceStore } from './store';
import { deployFile, deployModel } from './deploy';
import { callRunner, ensureRunner, type RunnerProgress } from './runner';
import { summarizeLatencies, sqnrDb, top1Agreement, maxAbsDiff, type LatencySummary } from './stats';
import { decodeTensor, type WireTensorInfo } from './tensors';
import { readNpy, writeNpy, type NpyData, type NpyDType } from '../data/npy';
import type { RuntimeArray } from '../runtime/types';
import { loadLocalModel, runLocally, samplesForInput, type LocalModel } from './local-reference';
import { DeviceError, DeviceInputError } from './errors';

export interface BenchOptions {
  runs?: number;
  warmup?: number;
  threads?: number;
  /** Real inputs: one .npy per model input, each [N, ...input shape]. */
  inputs?: string[];
  /** Folder under ~/.edgequant/ on the board; default "default". */
  project?: string;
  /** TFLite C library path on the board (device setting). */
  tfliteLibrary?: string;
  store?: DeviceStore;
  onProgress?: (event: BenchProgress) => void;
  signal?: AbortSignal;
  /** Collaborator for the desktop-side reference run (tests may substitute it). */
  loadLocal?: (modelPath: string) => Promise<LocalModel>;
}

export type BenchProgress =
  | { stage: 'upload'; transfer: TransferProgress }
  | { stage: 'run'; runner?: RunnerProgress }
  | { stage: 'compare' | 'done' };

export interface OutputAgreement {
  name: string;
  /** [samples, ...one sample's output shape] */
  shape: number[];
  sqnrDb: number | null;
  identical: boolean;
  maxAbsDiff: number;
  /** Dequantized values, board and desktop, when small enough to carry (<= 10,000). */
  board?: number[];
  desktop?: number[];
}

const MAX_CARRIED_VALUES = 10_000;

export interface BenchComparison {
  samples: number;
  localRuntime: { name: string; version: string | null };
  /** Share of samples whose arg-max of output 0 matches the desktop. */
  top1Agreement: number;
  /** Worst SQNR over outputs (dB), null when every output is bit-identical. */
  sqnrDb: number | null;
  outputs: OutputAgreement[];
}

/** The bench JSON of DESIGN.md ("device", "runtime", "runs", "initMs", "latencyMs", "peakRssMb") and more. */
export interface BenchResult {
  device: string;
  transport: string;
  model: { path: string; sha256: string; bytes: number; remotePath: string; uploaded: boolean };
  runtime: { name: string; version: string | null };
  threads: number;
  warmup: number;
  runs: number;
  initMs: number;
  latencyMs: LatencySummary;
  latenciesMs: number[];
  peakRssMb: number | null;
  temperatureC: { before: number | null; after: number | null };
  inputSource: 'random' | 'file';
  inputs: WireTensorInfo[];
  outputs: WireTensorInfo[];
  comparison?: BenchComparison;
}

interface RunnerOutput extends WireTensorInfo {
  samples: number;
  base64?: string;
  npy?: string;
}

interface RunnerBench {
  runtime: { name: string; version: string | null };
  threads: number;
  warmup: number;
  runs: number;
  initMs: number;
  latenciesMs: number[];
  peakRssMb: number | null;
  temperatureC: { before: number | null; after: number | null };
  inputs: WireTensorInfo[];
  outputs: WireTensorInfo[];
  inputSource: 'random' | 'file';
  sampleOutputs?: RunnerOutput[];
}

/** Prepares inputs in the model's own dtypes, runs the desktop reference, writes .npy files to upload. */
async function prepareInputs(modelPath: string, files: string[], loadLocal: (p: string) => Promise<LocalModel>, dir: string) {
  const model = await loadLocal(modelPath);
  try {
    return await splitAndWrite(model, files, dir);
  } catch (error) {
    model.loaded.dispose();
    throw error;
  }
}

async function splitAndWrite(model: LocalModel, files: string[], dir: string) {
  const inputs = model.loaded.inputs;
  if (files.length !== inputs.length) {
    throw new DeviceInputError(`the model has ${inputs.length} input(s) but ${files.length} --input file(s) were given.`);
  }
  const perInput = await Promise.all(files.map(async (f, i) => samplesForInput(await readNpy(f), inputs[i]!, f)));
  const count = perInput[0]!.length;
  if (perInput.some((s) => s.length !== count)) throw new DeviceInputError('every --input file must hold the same number of samples.');
  const written: string[] = [];
  for (const [i, samples] of perInput.entries()) {
    const info = inputs[i]!;
    const item = info.shape[0] === 1 ? info.shape.slice(1) : info.shape;
    const path = join(dir, `input_${i}.npy`);
    await writeNpy(path, { dtype: info.dtype as NpyDType, shape: [count, ...item], data: concatSamples(samples) });
    written.push(path);
  }
  const rows = Array.from({ length: count }, (_, k) => perInput.map((s) => s[k]!));
  return { model, rows, written, count };
}

function concatSamples(samples: RuntimeArray[]): NpyData {
  const first = samples[0]!;
  const Ctor = first.constructor as new (n: number) => RuntimeArray;
  const all = new Ctor(samples.length * first.length);
  samples.forEach((sample, k) => (all as Int8Array).set(sample as Int8Array, k * first.length));
  return all as NpyData;
}

export async function benchOnDevice(
  transport: BoardTransport,
  device: DeviceConfig,
  modelPath: string,
  options: BenchOptions = {},
): Promise<BenchResult> {
  const runs = options.runs ?? 50;
  const warmup = options.warmup ?? 5;
  const threads = options.threads ?? 1;
  const project = options.project ?? 'default';
  const progress = options.onProgress ?? (() => undefined);
  const temp = mkdtempSync(join(tmpdir(), 'edgequant-bench-'));
  let prepared: Awaited<ReturnType<typeof prepareInputs>> | undefined;
  try {
    // Validate inputs and compute the desktop reference before anything goes to the board.
    prepared = options.inputs?.length ? await prepareInputs(modelPath, options.inputs, options.loadLocal ?? loadLocalModel, temp) : undefined;
    const deployed = await deployModel(transport, modelPath, {
      project,
      deviceName: device.name,
      store: options.store,
      signal: options.signal,
      onProgress: (transfer) => progress({ stage: 'upload', transfer }),
    });
    const runner = await ensureRunner(transport);
    const args = ['bench', '--model', deployed.remotePath, '--runs', String(runs), '--warmup', String(warmup), '--threads', String(threads)];
    if (options.tfliteLibrary) args.push('--tflite-lib', options.tfliteLibrary);
    if (prepared) {
      for (const [i, path] of prepared.written.entries()) {
        const up = await deployFile(transport, path, { project, remoteName: `bench-input-${i}.npy`, signal: options.signal });
        args.push('--input', up.remotePath);
      }
    }
    progress({ stage: 'run' });
    const board = await callRunner<RunnerBench>(transport, runner, args, {
      signal: options.signal,
      onProgress: (runnerProgress) => progress({ stage: 'run', runner: runnerProgress }),
    });
    const result: BenchResult = {
      device: device.name,
      transport: transport.label,
      model: { path: modelPath, sha256: deployed.sha256, bytes: deployed.bytes, remotePath: deployed.remotePath, uploaded: !deployed.skipped },
      runtime: board.runtime,
      threads: board.threads,
      warmup: board.warmup,
      runs: board.runs,
      initMs: board.initMs,
      latencyMs: summarizeLatencies(board.latenciesMs),
      latenciesMs: board.latenciesMs,
      peakRssMb: board.peakRssMb,
      temperatureC: board.temperatureC,
      inputSource: board.inputSource,
      inputs: board.inputs,
      outputs: board.outputs,
    };
    if (prepared) {
      progress({ stage: 'compare' });
      result.comparison = await compare(transport, prepared.model, prepared.rows, board.sampleOutputs ?? []);
    }
    progress({ stage: 'done' });
    return result;
  } finally {
    prepared?.model.loaded.dispose();
    rmSync(temp, { recursive: true, force: true });
  }
}

async function compare(transport: BoardTransport, model: LocalModel, rows: Parameters<typeof runLocally>[1], boardOutputs: RunnerOutput[]): Promise<BenchComparison> {
  const local = await runLocally(model, rows);
  if (boardOutputs.length !== local.length) {
    throw new DeviceError(`${transport.label}: the board returned ${boardOutputs.length} outputs, the desktop ${local.length}.`);
  }
  const outputs: OutputAgreement[] = [];
  const boardValues: Float64Array[] = [];
  for (const [k, out] of boardOutputs.entries()) {
    const bytes = out.base64 !== undefined ? new Uint8Array(Buffer.from(out.base64, 'base64')) : await transport.download(out.npy!).then(stripNpyHeader);
    const values = decodeTensor(bytes, out.dtype, out.quant);
    if (values.length !== local[k]!.length) {
      throw new DeviceError(`${transport.label}: output '${out.name}' has ${values.length} values on the board, ${local[k]!.length} on the desktop.`);
    }
    boardValues.push(values);
    const s = sqnrDb(local[k]!, values);
    const carry = values.length <= MAX_CARRIED_VALUES;
    outputs.push({
      name: out.name,
      shape: out.shape,
      sqnrDb: Number.isFinite(s) ? Math.round(s * 100) / 100 : null,
      identical: !Number.isFinite(s),
      maxAbsDiff: maxAbsDiff(local[k]!, values),
      ...(carry ? { board: Array.from(values), desktop: Array.from(local[k]!) } : {}),
    });
  }
  const finite = outputs.map((o) => o.sqnrDb).filter((x): x is number => x !== null);
  return {
    samples: rows.length,
    localRuntime: model.runtime,
    top1Agreement: top1Agreement(local[0]!, boardValues[0]!, rows.length),
    sqnrDb: finite.length ? Math.min(...finite) : null,
    outputs,
  };
}

function stripNpyHeader(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const start = major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  return bytes.subarray(start);
}
