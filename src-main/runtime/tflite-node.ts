// TfliteRuntime on tfjs-tflite-node: the TFLite 2.9 C library behind a small N-API addon. We
// use the addon's Interpreter directly with typed arrays (no tfjs tensors needed). It loads
// everything incl. LSTM; its C API cannot reset variable tensors, so reset() recreates the
// interpreter when the model has state.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { arch } from 'node:process';
import type { LoadedTflite, RuntimeArray, TfliteRuntime } from './types';
import { RuntimeLoadError, RuntimeRunError } from './errors';
import { describeModelIo, inputBytes, outputArray, type ModelIo } from './model-io';
import { oneLine } from '../errors';

interface AddonTensor {
  readonly name: string;
  readonly dataType: string;
  readonly shape: string;
  data(): ArrayBufferView;
}
interface AddonInterpreter {
  getInputs(): AddonTensor[];
  getOutputs(): AddonTensor[];
  infer(): boolean;
}
interface Addon {
  Interpreter: new (model: ArrayBuffer, options: { threads?: number }) => AddonInterpreter;
}

function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('tfjs-tflite-node/package.json'));
}

/**
 * The addon keeps its TensorInfo constructor in a process-wide static that each thread's load
 * overwrites; once a worker that loaded it exits, the next interpreter created elsewhere
 * crashes the process. Re-running its init (dlopen again) right before every interpreter makes
 * the static point at this thread. Two threads creating interpreters at the same instant can
 * still race, so jobs should keep tflite-node use to one thread at a time.
 */
function loadAddon(): Addon {
  const module = { exports: {} as Addon };
  process.dlopen(module, join(packageDir(), 'build', 'Release', 'node_tflite_binding.node'));
  return module.exports;
}

/** Absolute path of the TFLite C library inside tfjs-tflite-node for this machine's CPU. */
export function tfliteCLibraryPath(cpu: string = arch): string {
  const folder = cpu === 'arm64' ? 'linux_arm64' : 'linux_amd64';
  return join(packageDir(), 'cc_deps', folder, 'libtensorflowlite_c.so');
}

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

class TfliteNodeLoaded implements LoadedTflite {
  private interpreter: AddonInterpreter;
  private disposed = false;
  constructor(
    private readonly modelBuffer: ArrayBuffer,
    private readonly io: ModelIo,
    private readonly threads: number,
  ) {
    this.interpreter = this.create();
    const parse = (s: string) => (s === '' ? [] : s.split(',').map(Number));
    this.interpreter.getInputs().forEach((t, i) => (io.inputs[i] = { ...io.inputs[i]!, shape: parse(t.shape) }));
    this.interpreter.getOutputs().forEach((t, i) => (io.outputs[i] = { ...io.outputs[i]!, shape: parse(t.shape) }));
  }

  private create(): AddonInterpreter {
    try {
      return new (loadAddon().Interpreter)(this.modelBuffer, { threads: this.threads });
    } catch (error) {
      throw new RuntimeLoadError(`tflite-node: cannot load the model (${oneLine(error)}).`);
    }
  }

  get inputs() {
    return this.io.inputs;
  }
  get outputs() {
    return this.io.outputs;
  }

  async run(inputs: RuntimeArray[]): Promise<RuntimeArray[]> {
    if (this.disposed) throw new RuntimeRunError('tflite-node: the model was disposed.');
    const tensors = this.interpreter.getInputs();
    tensors.forEach((t, i) => {
      const target = bytesOf(t.data());
      target.set(inputBytes(this.io.inputs[i]!, i, inputs[i], target.byteLength));
    });
    try {
      this.interpreter.infer();
    } catch (error) {
      throw new RuntimeRunError(`tflite-node: inference failed (${oneLine(error)}).`);
    }
    return this.interpreter.getOutputs().map((t, i) => outputArray(this.io.outputs[i]!.dtype, bytesOf(t.data())));
  }

  async reset(): Promise<void> {
    if (this.io.hasVariableTensors && !this.disposed) this.interpreter = this.create();
  }

  dispose(): void {
    // The addon frees the interpreter when it is garbage collected.
    this.disposed = true;
  }
}

export class TfliteNodeRuntime implements TfliteRuntime {
  readonly name = 'tflite-node' as const;
  readonly version = `tfjs-tflite-node ${(JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version} (TFLite 2.9 C library)`;

  async load(model: Uint8Array, options: { threads?: number } = {}): Promise<LoadedTflite> {
    const io = describeModelIo(model);
    // The addon throws for these I/O types while building a tensor and later aborts the whole
    // process in that tensor's finalizer: refuse them before the addon sees the model.
    const refused = [...io.inputs, ...io.outputs].find((t) => t.dtype === 'string' || t.dtype === 'float16');
    if (refused) throw new RuntimeLoadError(`tflite-node: ${refused.dtype} input/output '${refused.name}' is not supported by this runtime.`);
    // The addon copies the bytes; hand it an exact ArrayBuffer.
    const buffer = model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength) as ArrayBuffer;
    return new TfliteNodeLoaded(buffer, io, options.threads ?? 1);
  }
}
