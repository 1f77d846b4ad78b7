// Device-layer errors. A board that cannot be reached, refuses us or fails a command is an
// OperationError (exit 1); a wrong device name, flag or file is an InputError (exit 2).
import { InputError, OperationError } from '../errors';

/** The board could not be reached, authenticated or finished an operation. */
export class DeviceError extends OperationError {
  override name = 'DeviceError';
}

/** The user named an unknown device, gave a bad address or a bad file. */
export class DeviceInputError extends InputError {
  override name = 'DeviceInputError';
}

/** The board presented a host key different from the trusted one. Never auto-accepted. */
export class HostKeyChangedError extends DeviceError {
  override name = 'HostKeyChangedError';
  constructor(
    readonly hostId: string,
    readonly trustedFingerprint: string,
    readonly presentedFingerprint: string,
  ) {
    super(
      `host key of ${hostId} CHANGED: trusted ${trustedFingerprint}, presented ${presentedFingerprint}; ` +
        `refusing to connect (if the board was reinstalled, remove and re-add the device with --trust).`,
    );
  }
}

/** First contact with a host whose key the user has not accepted yet. */
export class HostKeyUntrustedError extends DeviceError {
  override name = 'HostKeyUntrustedError';
  constructor(
    readonly hostId: string,
    readonly keyType: string,
    readonly fingerprint: string,
  ) {
    super(`host key of ${hostId} is not trusted yet (${keyType} ${fingerprint}); check it and add the device with --trust.`);
  }
}
