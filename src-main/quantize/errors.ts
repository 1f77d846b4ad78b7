// Errors of the quantizer, mapped by the CLI to exit codes through their base kinds.
import { InputError, OperationError, UnsupportedError } from '../errors';

/** The request cannot be satisfied by this model (e.g. --int8-only with float-only ops). */
export class QuantizeUnsupportedError extends UnsupportedError {
  override name = 'QuantizeUnsupportedError';
}

/** A recipe file, statistics or option is malformed. */
export class QuantizeInputError extends InputError {
  override name = 'QuantizeInputError';
}

/** Our own result failed validation: a bug, reported rather than written. */
export class QuantizeValidationError extends OperationError {
  override name = 'QuantizeValidationError';
}
