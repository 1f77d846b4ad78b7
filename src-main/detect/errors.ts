import { InputError } from '../errors';

/** A detector's outputs, labels or options do not fit the decoder or the metrics. */
export class DetectInputError extends InputError {
  override name = 'DetectInputError';
}
