// App state for boards under $EDGEQUANT_HOME: devices.json (board settings, never secrets),
// known_hosts.json (trusted SSH host keys), deployments.json (models verified on a board) and
// last-boards.json (the board each project last benchmarked on).
// Every write goes to a temp file, is fsynced, then renamed over the old one, so a crash
// never leaves half a file.
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readFileSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DeviceConfig } from './types';
import { DeviceError, DeviceInputError } from './errors';
import { edgequantHome } from './home';

export interface TrustedHostKey {
  keyType: string;
  /** "SHA256:<base64 without padding>", as OpenSSH prints it. */
  fingerprint: string;
  /** The raw public key blob, base64. */
  key: string;
  addedAt: string;
}

export interface DeploymentRecord {
  device: string;
  project: string;
  /** Absolute path on the board. */
  remotePath: string;
  sha256: string;
  bytes: number;
  deployedAt: string;
}

export function writeFileAtomic(path: string, text: string): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
}

function readJson<T>(path: string, fallback: T): T {
  if (!existsSync(path)) return fallback;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new DeviceError(`${path} is not valid JSON (${(error as Error).message}); fix or delete it.`);
  }
}

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkDeviceName(name: string): void {
  if (!DEVICE_NAME.test(name) || name === 'local') {
    throw new DeviceInputError(
      `device name '${name}' is not allowed: use letters, digits, '.', '_' or '-' (max 64), and not 'local'.`,
    );
  }
}

export class DeviceStore {
  readonly dir: string;
  constructor(dir: string = edgequantHome()) {
    this.dir = dir;
  }

  private path(file: string): string {
    return join(this.dir, file);
  }

  private write(file: string, value: unknown): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path(file), JSON.stringify(value, null, 2) + '\n');
  }

  listDevices(): DeviceConfig[] {
    return readJson<DeviceConfig[]>(this.path('devices.json'), []);
  }

  getDevice(name: string): DeviceConfig | undefined {
    return this.listDevices().find((d) => d.name === name);
  }

  /** The stored device, or an InputError listing the known names. */
  requireDevice(name: string): DeviceConfig {
    const device = this.getDevice(name);
    if (device) return device;
    const known = this.listDevices().map((d) => d.name);
    throw new DeviceInputError(
      `no device named '${name}'` + (known.length ? ` (known: ${known.join(', ')}, local)` : ` (add one with 'edgequant device add')`) + '.',
    );
  }

  saveDevice(device: DeviceConfig): void {
    const others = this.listDevices().filter((d) => d.name !== device.name);
    this.write('devices.json', [...others, device]);
  }

  removeDevice(name: string): boolean {
    const all = this.listDevices();
    const kept = all.filter((d) => d.name !== name);
    if (kept.length === all.length) return false;
    this.write('devices.json', kept);
    this.write(
      'deployments.json',
      this.listDeployments().filter((r) => r.device !== name),
    );
    return true;
  }

  knownHosts(): Record<string, TrustedHostKey> {
    return readJson<Record<string, TrustedHostKey>>(this.path('known_hosts.json'), {});
  }

  trustedKey(hostId: string): TrustedHostKey | undefined {
    return this.knownHosts()[hostId];
  }

  trustHostKey(hostId: string, key: TrustedHostKey): void {
    this.write('known_hosts.json', { ...this.knownHosts(), [hostId]: key });
  }

  forgetHostKey(hostId: string): void {
    const all = this.knownHosts();
    delete all[hostId];
    this.write('known_hosts.json', all);
  }

  /** The board a project last benchmarked on (by the project folder's absolute path). */
  lastBoard(project: string): string | undefined {
    return readJson<Record<string, string>>(this.path('last-boards.json'), {})[project];
  }

  rememberLastBoard(project: string, device: string): void {
    this.write('last-boards.json', { ...readJson<Record<string, string>>(this.path('last-boards.json'), {}), [project]: device });
  }

  listDeployments(device?: string): DeploymentRecord[] {
    const all = readJson<DeploymentRecord[]>(this.path('deployments.json'), []);
    return device === undefined ? all : all.filter((r) => r.device === device);
  }

  /** Called only after the board confirmed the sha256 and the file has its final name. */
  recordDeployment(record: DeploymentRecord): void {
    const others = this.listDeployments().filter((r) => !(r.device === record.device && r.remotePath === record.remotePath));
    this.write('deployments.json', [...others, record]);
  }

  forgetDeployment(device: string, remotePath: string): void {
    this.write(
      'deployments.json',
      this.listDeployments().filter((r) => !(r.device === device && r.remotePath === remotePath)),
    );
  }
}
