// Small shell helpers every board operation uses: quoting, the board's $HOME, sha256 of a
// file on the board with whatever tool it has, and checked command execution.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BoardTransport, ExecOptions, ExecResult } from './transport';
import { DeviceError } from './errors';

/** Single-quotes a value for a POSIX shell. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs a command; a non-zero exit becomes a DeviceError with the first stderr line. */
export async function run(transport: BoardTransport, command: string, what: string, options: ExecOptions = {}): Promise<ExecResult> {
  const result = await transport.exec(command, options);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    throw new DeviceError(`${transport.label}: ${what} failed (exit ${result.code}${detail ? `: ${detail}` : ''}).`);
  }
  return result;
}

const homes = new WeakMap<BoardTransport, string>();

/** The board user's home directory, absolute, so SFTP and shell agree on paths. */
export async function boardHome(transport: BoardTransport): Promise<string> {
  const cached = homes.get(transport);
  if (cached) return cached;
  const { stdout } = await run(transport, `printf '%s' "$HOME"`, 'reading $HOME');
  if (!stdout.startsWith('/')) throw new DeviceError(`${transport.label}: the board reports no usable $HOME ('${stdout}').`);
  homes.set(transport, stdout);
  return stdout;
}

/** Shell snippet printing the sha256 hex of file "$f" (empty when absent), with any tool the board has. */
const SHA256_OF_F =
  `if [ ! -f "$f" ]; then :; ` +
  `elif command -v sha256sum >/dev/null 2>&1; then sha256sum "$f" | cut -d' ' -f1; ` +
  `elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$f" | cut -d' ' -f1; ` +
  `elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r "$f" | cut -d' ' -f1; ` +
  `else python3 -c 'import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$f"; fi`;

/** sha256 hex of a file on the board, or undefined when it does not exist. */
export async function remoteSha256(transport: BoardTransport, path: string): Promise<string | undefined> {
  const { stdout } = await run(transport, `f=${shq(path)}; ${SHA256_OF_F}`, `hashing ${path}`);
  const hex = stdout.trim();
  if (hex === '') return undefined;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new DeviceError(`${transport.label}: unexpected sha256 output for ${path}: '${hex.slice(0, 80)}'.`);
  return hex;
}

export async function localSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
