// Errors of the serial console path. All are operation failures (exit 1): the cable, the
// port or the board misbehaved, not the user's input.
import { OperationError } from '../../errors';

export class SerialDeviceError extends OperationError {
  override name = 'SerialDeviceError';
}
