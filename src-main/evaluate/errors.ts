import { InputError } from '../errors';

/** The two models or the data do not fit together. */
export class EvaluateInputError extends InputError {
  override name = 'EvaluateInputError';
}

