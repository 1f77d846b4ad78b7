// The project store's input error: a folder that is not a project, a run id that does not exist.
import { InputError } from '../errors';

export class ProjectInputError extends InputError {
  override name = 'ProjectInputError';
}
