// Errors of the TFLite layer. Messages are one line: the file, what is wrong, what to do.
import { InputError, OperationError } from '../errors';

/** The bytes are not a TFLite model we can read (corrupt, truncated, not a flatbuffer). */
export class TfliteFormatError extends InputError {
  override name = 'TfliteFormatError';
}

/** The model graph cannot be written as TFLite (dangling tensor, unknown op, bad data). */
export class TfliteWriteError extends OperationError {
  override name = 'TfliteWriteError';
}
