// Errors of the local TFLite runtimes. One line each: runtime, model, cause, what to do.
import { InputError, OperationError } from '../errors';

/** The runtime refused the model (unsupported op, variable tensors, dynamic shape, …). */
export class RuntimeLoadError extends OperationError {
  override name = 'RuntimeLoadError';
}

/** Inference failed inside the runtime. */
export class RuntimeRunError extends OperationError {
  override name = 'RuntimeRunError';
}

/** The caller passed inputs that do not fit the model (count, dtype, element count). */
export class RuntimeInputError extends InputError {
  override name = 'RuntimeInputError';
}
