// One fuzz case, run in a worker thread: the mutated file goes through the same code as
// `edgequant inspect` (and, for some cases, a float `convert`), or, for calibration data, through
// the dataset reader `convert --calibration` uses. The reply says how it ended; the parent
// classifies it (importer-verdict.ts) and times it out.
import { parentPort } from 'node:worker_threads';
import { inspectModel } from '../src-main/cli/commands/inspect';
import { convertModel } from '../src-main/convert/pipeline';
import { EdgeQuantError } from '../src-main/errors';
import { openDataset } from '../src-main/data/open';
import type { InputSpec } from '../src-main/data/dataset';

export interface CaseRequest {
  id: number;
  path: string;
  /** Calibration data read for this input; a model otherwise. */
  input?: InputSpec;
  /** Also convert the model to a float .tflite at this path. */
  convertTo?: string;
}

export interface CaseReply {
  id: number;
  ok: boolean;
  /** The error is one of the product's typed errors (EdgeQuantError), and its code. */
  typed?: boolean;
  code?: string;
  name?: string;
  message?: string;
}

async function run(request: CaseRequest): Promise<void> {
  if (request.input) {
    const dataset = await openDataset(request.path, [request.input], request.input.dtype === 'uint8' ? {} : { preprocess: '0..1' });
    try {
      for await (const sample of dataset.samples()) void sample;
    } finally {
      await dataset.close();
    }
    return;
  }
  await inspectModel(request.path);
  if (request.convertTo) {
    await convertModel({ model: request.path, output: request.convertTo, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } });
  }
}

parentPort?.on('message', (request: CaseRequest) => {
  run(request).then(
    () => parentPort!.postMessage({ id: request.id, ok: true } satisfies CaseReply),
    (error: unknown) => {
      const typed = error instanceof EdgeQuantError;
      parentPort!.postMessage({
        id: request.id,
        ok: false,
        typed,
        ...(typed ? { code: error.code } : {}),
        name: error instanceof Error ? error.name : typeof error,
        // Capped: a runaway message is itself a finding, its length is what matters.
        message: (error instanceof Error ? error.message : String(error)).slice(0, 200_000),
      } satisfies CaseReply);
    },
  );
});
