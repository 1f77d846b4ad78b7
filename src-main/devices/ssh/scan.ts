// Reads a board's host key without logging in, so a UI can show the fingerprint in a dialog
// first and then add the device trusting exactly that key (see DeviceService.addSsh).
import ssh2 from 'ssh2';
import { DeviceError } from '../errors';
import { hostIdOf, keyTypeOf, sha256Fingerprint } from './host-keys';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './transport';

export interface ScannedHostKey {
  hostId: string;
  keyType: string;
  fingerprint: string;
}

export function scanHostKey(host: string, port: number, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<ScannedHostKey> {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let found: ScannedHostKey | undefined;
    const timer = setTimeout(() => finish(new DeviceError(`no SSH answer from ${where} within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs + 500);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.destroy();
      if (found) resolve(found);
      else reject(error ?? new DeviceError(`${where} presented no host key.`));
    };
    client.on('error', (e: NodeJS.ErrnoException) =>
      finish(found ? undefined : new DeviceError(e.code === 'ECONNREFUSED' ? `connection refused by ${where}.` : `cannot reach ${where}: ${e.message}.`)),
    );
    client.connect({
      host,
      port,
      username: 'edgequant-scan',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        found = { hostId: hostIdOf(host, port), keyType: keyTypeOf(key), fingerprint: sha256Fingerprint(key) };
        setImmediate(() => finish());
        return false; // stop here: nothing is sent after the key exchange
      },
    });
  });
}
