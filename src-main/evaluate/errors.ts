import { InputError } from '../errors';

/** The two models or the data do not fit together. */
export class EvaluateInputError extends InputError {
  override name = 'EvaluateInputError';
}


/** Evaluation on the held-out part of the calibration data, but calibration used every sample. */
export class NoHeldOutSamplesError extends EvaluateInputError {
  override name = 'NoHeldOutSamplesError';
}
