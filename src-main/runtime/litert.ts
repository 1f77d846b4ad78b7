// TfliteRuntime on LiteRT (wasm, XNNPACK) through litert-wasm.ts. Handles every I/O element
// type (int8 included) by filling and reading the tensor buffers as raw bytes.
import type { LoadedTflite, RuntimeArray, TfliteRuntime } from './types';
import { RuntimeLoadError, RuntimeRunError } from './errors';
import { describeModelIo, inputBytes, outputArray, type ModelIo } from './model-io';
import { loadLiteRtWasm, liteRtVersion, vectorToArray, type LiteRtTensorBuffer, type LoadedWasm } from './litert-wasm';
import { oneLine } from '../errors';
import { hasDynamicShapes, withoutShapeSignatures } from '../tflite/shape-signature';

function lastError(loaded: LoadedWasm): string {
  const errors = loaded.recentLog.filter((l) => /^(ERROR|WARNING)/.test(l) && !/NPU accelerator/.test(l));
  return errors.at(-1)?.replace(/^ERROR: \[[^\]]*\]\s*/, '') ?? '';
}

class LiteRtLoaded implements LoadedTflite {
  private disposed = false;
  constructor(
    private readonly loaded: LoadedWasm,
    private readonly io: ModelIo,
    private readonly model: { delete(): void },
    private readonly compiled: { run(sig: number, inputs: LiteRtTensorBuffer[]): Promise<LiteRtTensorBuffer[]>; delete(): void },
    private readonly signature: number,
    /** For each signature input position: index into io.inputs. */
    private readonly inputOrder: number[],
    /** For each io.outputs entry: position in the signature outputs. */
    private readonly outputPosition: number[],
    private readonly inputTypes: { bytes: number; type: import('./litert-wasm').LiteRtRankedTensorType }[],
    private readonly modelPtr: number,
  ) {}

  get inputs() {
    return this.io.inputs;
  }
  get outputs() {
    return this.io.outputs;
  }

  async run(inputs: RuntimeArray[]): Promise<RuntimeArray[]> {
    if (this.disposed) throw new RuntimeRunError('LiteRT: the model was disposed.');
    const { wasm, environment } = this.loaded;
    const buffers: LiteRtTensorBuffer[] = [];
    let outputs: LiteRtTensorBuffer[] = [];
    try {
      this.inputOrder.forEach((ioIndex, position) => {
        const spec = this.inputTypes[position] as { bytes: number; type: import('./litert-wasm').LiteRtRankedTensorType };
        const bytes = inputBytes(this.io.inputs[ioIndex]!, ioIndex, inputs[ioIndex], spec.bytes);
        const buffer = wasm.LiteRtTensorBuffer.createManaged(environment, wasm.LiteRtTensorBufferType.HOST_MEMORY, spec.type, spec.bytes);
        buffers.push(buffer);
        const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
        wasm.HEAPU8.set(bytes, ptr);
        buffer.unlock();
      });
      try {
        outputs = await this.compiled.run(this.signature, buffers);
      } catch (error) {
        throw new RuntimeRunError(`LiteRT: inference failed (${lastError(this.loaded) || oneLine(error)}).`);
      }
      return this.outputPosition.map((position, i) => {
        const buffer = outputs[position];
        if (!buffer) throw new RuntimeRunError(`LiteRT: output ${i} is missing.`);
        const ptr = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
        const bytes = wasm.HEAPU8.subarray(ptr, ptr + buffer.packedSize());
        const array = outputArray(this.io.outputs[i]!.dtype, bytes);
        buffer.unlock();
        return array;
      });
    } finally {
      for (const b of buffers) b.delete();
      for (const b of outputs) b.delete();
    }
  }

  // LiteRT refuses models with variable tensors, so there is no state to clear.
  async reset(): Promise<void> {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.inputTypes) t.type.delete();
    this.compiled.delete();
    this.model.delete();
    this.loaded.wasm._free(this.modelPtr);
  }
}

export class LiteRtRuntime implements TfliteRuntime {
  readonly name = 'litert-js' as const;
  readonly version = `@litertjs/core ${liteRtVersion()}`;

  async load(model: Uint8Array, options: { threads?: number } = {}): Promise<LoadedTflite> {
    const io = describeModelIo(model);
    if (io.hasVariableTensors) {
      throw new RuntimeLoadError('LiteRT: the model has variable tensors (LSTM/RNN state), which LiteRT.js cannot load; convert with --unroll-rnn, or use tflite-node.');
    }
    // LiteRT.js compiles a model with an unresolvable custom op and then returns uninitialised
    // memory for it: refuse custom ops so callers fall back to a runtime that reports them.
    const custom = io.customOps[0];
    if (custom !== undefined) throw new RuntimeLoadError(`LiteRT: custom op '${custom}' is not available in LiteRT.js.`);
    // Shapes that change inside the graph (beyond the batch) come out as garbage in LiteRT.js.
    if (io.dynamicInnerTensor !== undefined) {
      throw new RuntimeLoadError(`LiteRT: tensor '${io.dynamicInnerTensor}' has a dynamic inner dimension, which LiteRT.js does not run correctly.`);
    }
    const loaded = await loadLiteRtWasm();
    const { wasm, environment } = loaded;
    loaded.recentLog.length = 0; // errors quoted below must come from this load
    // LiteRT.js cannot lay out a -1 dimension once a signature names the tensor: run the model
    // at its static shape (batch 1), as tflite-node does.
    const bytes = hasDynamicShapes(model) ? withoutShapeSignatures(model) : model;
    const ptr = wasm._malloc(bytes.byteLength);
    wasm.HEAPU8.set(bytes, ptr);
    let liteModel: ReturnType<typeof wasm.loadModel> | undefined;
    let compiled: Awaited<ReturnType<typeof wasm.compileModel>> | undefined;
    try {
      liteModel = wasm.loadModel(environment, ptr, bytes.byteLength);
      compiled = await wasm.compileModel(environment, liteModel, {
        accelerator: 'wasm',
        cpuOptions: { numThreads: options.threads ?? 1 },
        gpuOptions: {},
        webNNOptions: {},
      });
      return this.bind(loaded, io, liteModel, compiled, ptr);
    } catch (error) {
      compiled?.delete();
      liteModel?.delete();
      wasm._free(ptr);
      if (error instanceof RuntimeLoadError) throw error;
      throw new RuntimeLoadError(`LiteRT: cannot load the model (${lastError(loaded) || oneLine(error)}).`);
    }
  }

  private bind(loaded: LoadedWasm, io: ModelIo, model: Parameters<LoadedWasm['wasm']['compileModel']>[1], compiled: Awaited<ReturnType<LoadedWasm['wasm']['compileModel']>>, ptr: number): LiteRtLoaded {
    // Prefer the signature of subgraph 0 (LiteRT lists a placeholder one when the file has none).
    const count = model.getNumSignatures();
    let signatureIndex = 0;
    let inputNames: string[] = [];
    let outputNames: string[] = [];
    for (let s = 0; s < count; s++) {
      const sig = model.getSignature(s);
      const ins = vectorToArray(sig.inputNames());
      const outs = vectorToArray(sig.outputNames());
      sig.delete();
      const matches = ins.every((n) => io.inputs.some((i) => i.name === io.signatureToTensor.get(n)));
      if (matches && ins.length === io.inputs.length) {
        signatureIndex = s;
        inputNames = ins;
        outputNames = outs;
        break;
      }
    }
    if (inputNames.length !== io.inputs.length) throw new RuntimeLoadError('LiteRT: no signature of the model matches its subgraph-0 inputs.');
    const inputOrder = inputNames.map((n) => io.inputs.findIndex((i) => i.name === io.signatureToTensor.get(n)));
    const outputPosition = io.outputs.map((o) => outputNames.findIndex((n) => io.signatureToTensor.get(n) === o.name));
    if (outputPosition.some((p) => p < 0)) throw new RuntimeLoadError('LiteRT: the signature does not list every model output.');
    // Shapes as the runtime allocated them (a dynamic dimension takes the file's static size).
    const inputTypes = inputNames.map((_, position) => {
      const type = model.getInputTensorType(signatureIndex, position);
      const layout = type.layout();
      const dims = vectorToArray(layout.dimensions());
      layout.delete();
      const ioIndex = inputOrder[position] as number;
      io.inputs[ioIndex] = { ...io.inputs[ioIndex]!, shape: dims };
      return { bytes: type.bytes(), type };
    });
    outputPosition.forEach((position, i) => {
      const type = model.getOutputTensorType(signatureIndex, position);
      const layout = type.layout();
      io.outputs[i] = { ...io.outputs[i]!, shape: vectorToArray(layout.dimensions()) };
      layout.delete();
      type.delete();
    });
    return new LiteRtLoaded(loaded, io, model, compiled, signatureIndex, inputOrder, outputPosition, inputTypes, ptr);
  }
}
