// First contact with a fresh board by password: log in once (password, or keyboard-interactive
// answered with the same password), append a new public key to ~/.ssh/authorized_keys there,
// and leave. The password is used for this one login only and never stored.
import ssh2 from 'ssh2';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceError, DeviceInputError } from '../errors';
import { hostIdOf, keyTypeOf, sha256Fingerprint } from './host-keys';
import { shq } from '../remote';

export interface GeneratedKey {
  privateKeyPath: string;
  publicKey: string;
}

/** A new ed25519 key pair for one board, under $EDGEQUANT_HOME/keys (private file 0600). */
export function generateBoardKey(keysDir: string, deviceName: string, comment: string): GeneratedKey {
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(keysDir, `${deviceName}_ed25519`);
  if (existsSync(privateKeyPath)) throw new DeviceInputError(`key file ${privateKeyPath} exists already; remove it or pick another board name.`);
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
  chmodSync(privateKeyPath, 0o600);
  writeFileSync(`${privateKeyPath}.pub`, pair.public.trim() + '\n', { mode: 0o644 });
  return { privateKeyPath, publicKey: pair.public.trim() };
}

/** Shell that appends the key once, with the permissions sshd's StrictModes wants. */
export function authorizeKeyCommand(publicKey: string): string {
  const key = shq(publicKey);
  return `umask 077 && mkdir -p ~/.ssh && touch ~/.ssh/authorized_keys && chmod 700 ~/.ssh && chmod 600 ~/.ssh/authorized_keys && (grep -qxF ${key} ~/.ssh/authorized_keys || printf '%s\\n' ${key} >> ~/.ssh/authorized_keys)`;
}

export interface PasswordInstallRequest {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The host key fingerprint the user was shown and accepted; any other key is refused. */
  trustFingerprint: string;
  publicKey: string;
  timeoutMs: number;
}

export function installKeyWithPassword(request: PasswordInstallRequest): Promise<void> {
  const where = `${request.user}@${request.host}:${request.port}`;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let presented: string | undefined;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.end();
      if (error) reject(error);
      else resolve();
    };
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (presented !== undefined && presented !== request.trustFingerprint) {
        finish(new DeviceError(`host key of ${hostIdOf(request.host, request.port)} is ${presented}, not the ${request.trustFingerprint} that was confirmed; not trusted.`));
      } else if (e.level === 'client-authentication') {
        finish(new DeviceError(`password login to ${where} failed: wrong user or password, or the board does not accept passwords (PasswordAuthentication no).`));
      } else finish(new DeviceError(e.code === 'ECONNREFUSED' ? `connection refused by ${where}.` : `cannot log in to ${where}: ${e.message}.`));
    });
    // Keyboard-interactive (PAM) boards ask "Password:"; answer each prompt with the password.
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, answer) => answer(prompts.map(() => request.password)));
    client.on('ready', () => {
      client.exec(authorizeKeyCommand(request.publicKey), (err, stream) => {
        if (err) return finish(new DeviceError(`${where}: cannot run the key install command (${err.message}).`));
        let stderr = '';
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        stream.resume();
        stream.on('close', (code: number | null) => {
          if (code === 0) finish();
          else finish(new DeviceError(`${where}: installing the key in ~/.ssh/authorized_keys failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}.`));
        });
      });
    });
    client.connect({
      host: request.host,
      port: request.port,
      username: request.user,
      password: request.password,
      tryKeyboard: true,
      readyTimeout: request.timeoutMs,
      // No agent, no key files: this login proves the password only.
      hostVerifier: (key: Buffer) => {
        presented = sha256Fingerprint(key);
        return presented === request.trustFingerprint && keyTypeOf(key) !== 'unknown';
      },
    });
  });
}
