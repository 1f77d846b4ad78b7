import { InputError, OperationError } from '../errors';

/** The two models or the data do not fit together. */
export class EvaluateInputError extends InputError {
  override name = 'EvaluateInputError';
}

/** A model failed to load or run while evaluating. */
export class EvaluateRunError extends OperationError {
  override name = 'EvaluateRunError';
}
