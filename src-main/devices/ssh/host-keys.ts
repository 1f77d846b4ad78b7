// Host key trust: first use shows the SHA256 fingerprint and stores it when the user agrees;
// afterwards the key must match byte for byte. A changed key is always refused.
import { createHash } from 'node:crypto';
import type { DeviceStore } from '../store';
import { HostKeyChangedError, HostKeyUntrustedError } from '../errors';

export interface PresentedHostKey {
  hostId: string;
  keyType: string;
  fingerprint: string;
  key: Buffer;
}

/** OpenSSH's form: "SHA256:" + base64 of the key blob's digest, without '=' padding. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The algorithm name at the start of an SSH public key blob (uint32 length + ASCII). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && len < 64 && keyBlob.length >= 4 + len ? keyBlob.subarray(4, 4 + len).toString('ascii') : 'unknown';
}

/** Key of known_hosts.json, as OpenSSH writes non-default ports: "[host]:port". */
export function hostIdOf(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export type ConfirmHostKey = (key: PresentedHostKey) => Promise<boolean>;

/**
 * Decides whether to accept `key`. Resolves true when trusted (stored now or before);
 * throws HostKeyChangedError / HostKeyUntrustedError otherwise.
 */
export async function verifyHostKey(
  store: DeviceStore,
  presented: PresentedHostKey,
  confirmNew: ConfirmHostKey | undefined,
): Promise<true> {
  const trusted = store.trustedKey(presented.hostId);
  if (trusted) {
    if (trusted.key === presented.key.toString('base64')) return true;
    throw new HostKeyChangedError(presented.hostId, trusted.fingerprint, presented.fingerprint);
  }
  if (confirmNew && (await confirmNew(presented))) {
    store.trustHostKey(presented.hostId, {
      keyType: presented.keyType,
      fingerprint: presented.fingerprint,
      key: presented.key.toString('base64'),
      addedAt: new Date().toISOString(),
    });
    return true;
  }
  throw new HostKeyUntrustedError(presented.hostId, presented.keyType, presented.fingerprint);
}
