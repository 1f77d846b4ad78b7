// Error vocabulary shared by every engine module, the CLI and the API bridge.
// Each module defines its own subclass (e.g. TfliteFormatError) of one of the two kinds
// below, so that the CLI maps it to an exit code and the UI to a code without guessing.

export type ErrorCode =
  | 'BAD_INPUT' // the user's file, argument or data is wrong: exit 2
  | 'UNSUPPORTED' // the model uses something we cannot convert: exit 2
  | 'FAILED' // the operation itself failed (device, runtime, I/O): exit 1
  | 'CANCELLED'
  | 'INTERNAL';

export abstract class EdgeQuantError extends Error {
  abstract readonly code: ErrorCode;
  get exitCode(): 1 | 2 {
    return this.code === 'BAD_INPUT' || this.code === 'UNSUPPORTED' ? 2 : 1;
  }
}

/** The user's input is wrong (file, argument, data shape). Exit code 2. */
export class InputError extends EdgeQuantError {
  override name = 'InputError';
  readonly code: ErrorCode = 'BAD_INPUT';
}

/** The model uses layers or ops we cannot convert. Exit code 2. */
export class UnsupportedError extends EdgeQuantError {
  override name = 'UnsupportedError';
  readonly code: ErrorCode = 'UNSUPPORTED';
}

/** A well-formed request failed while running (device, runtime, disk). Exit code 1. */
export class OperationError extends EdgeQuantError {
  override name = 'OperationError';
  readonly code: ErrorCode = 'FAILED';
}

export class CancelledError extends EdgeQuantError {
  override name = 'CancelledError';
  readonly code: ErrorCode = 'CANCELLED';
  constructor(message = 'Cancelled.') {
    super(message);
  }
}

/** One line for a human: the message without stack, newlines folded. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function errorCode(error: unknown): ErrorCode {
  return error instanceof EdgeQuantError ? error.code : 'INTERNAL';
}
