import { OperationError } from '../errors';

/** The debugger could not measure what it was asked to (exit 1): the model or data are fine. */
export class DebugError extends OperationError {
  override name = 'DebugError';
}
