// Evaluation's tasks for compute workers: each worker loads its own instances of the float and
// the quantized model in the runtime the caller chose, and returns both outputs per sample; the
// caller compares them in sample order (sample-runs.ts).
import { getRuntime } from '../runtime/index';
import type { LoadedTflite, RuntimeName } from '../runtime/types';
import { runPair } from './sample-runs';

let open: { f: LoadedTflite; q: LoadedTflite } | undefined;

function close(): void {
  open?.f.dispose();
  open?.q.dispose();
  open = undefined;
}

export const evaluationTasks = {
  async 'evaluate.open'(payload: unknown) {
    const { runtime, floatBytes, quantBytes } = payload as { runtime: RuntimeName; floatBytes: Uint8Array; quantBytes: Uint8Array };
    close();
    const loader = getRuntime(runtime);
    const q = await loader.load(quantBytes);
    try {
      open = { f: await loader.load(floatBytes), q };
    } catch (error) {
      q.dispose();
      throw error;
    }
    return { result: null };
  },
  async 'evaluate.sample'(payload: unknown) {
    const { inputs } = payload as { inputs: Float32Array[] };
    if (!open) throw new Error('evaluate.sample before evaluate.open');
    const outputs = await runPair(open.f, open.q, inputs);
    return { result: outputs, transfer: [...outputs.float, ...outputs.quant].map((v) => v.buffer as ArrayBuffer) };
  },
  async 'evaluate.finish'() {
    close();
    return { result: null };
  },
};
