// The device layer as one service with plain-data requests and JSON-safe results: the CLI
// commands and the app's API handlers (Devices page) both call it, so they behave the same.
import { existsSync, rmSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceConfig, SerialDeviceConfig, SshDeviceConfig } from './types';
import type { BoardTransport, TransferProgress } from './transport';
import { DeviceStore, checkDeviceName } from './store';
import { edgequantHome } from './home';
import { DeviceError, DeviceInputError } from './errors';
import { openTransport, resolveDevice, deviceTfliteLibrary, type OpenTransportOptions } from './open';
import { resolveSshTarget, DEFAULT_CONNECT_TIMEOUT_MS } from './ssh/transport';
import { readSshConfig, sshConfigPath } from './ssh/config-file';
import { hostIdOf, type ConfirmHostKey } from './ssh/host-keys';
import { scanHostKey, type ScannedHostKey } from './ssh/scan';
import type { SecretPrompt, SecretStore } from './ssh/auth';
import { probeDevice, type DeviceProbe } from './probe';
import { deployModel, type DeployResult } from './deploy';
import { benchOnDevice, type BenchOptions, type BenchResult } from './bench';
import { generateBoardKey, installKeyWithPassword } from './ssh/install-key';
import { discoverBoards, type DiscoverOptions, type DiscoveryResult } from './discover/index';

export interface DeviceServiceOptions {
  store?: DeviceStore;
  env?: NodeJS.ProcessEnv;
  /** Asks passphrases and passwords (CLI: the terminal; app: a dialog). */
  prompt?: SecretPrompt;
  /** Encrypted password storage (app: Electron safeStorage). */
  secretStore?: SecretStore;
  /** Asked about unknown host keys on connections other than addSsh (absent: refused). */
  confirmHostKey?: ConfirmHostKey;
}

export interface AddSshDeviceRequest {
  name: string;
  /** "[USER@]HOST[:PORT]"; HOST may be a ~/.ssh/config alias. */
  ssh: string;
  keyFile?: string;
  tfliteLibrary?: string;
  connectTimeoutMs?: number;
  /** Trust the board's key only if it has this fingerprint (the one a dialog showed). */
  trustFingerprint?: string;
  /** Trust whatever new key the board presents (CLI --trust). */
  trustNew?: boolean;
  /** Otherwise asked here (CLI: a y/N question on a TTY). */
  confirmHostKey?: ConfirmHostKey;
}

export interface AddWithPasswordRequest {
  name: string;
  /** "[USER@]HOST[:PORT]" or a ~/.ssh/config alias. */
  ssh: string;
  /** Used for the first login only (to install a key); never stored. */
  password: string;
  /** The fingerprint the user was shown and accepted (explicit trust). */
  trustFingerprint: string;
  connectTimeoutMs?: number;
}

export interface AddSerialDeviceRequest {
  name: string;
  path: string;
  baudRate?: number;
  user?: string;
  tfliteLibrary?: string;
}

export interface DeviceSettingsPatch {
  tfliteLibrary?: string | null;
  keyFile?: string | null;
  connectTimeoutMs?: number | null;
  baudRate?: number;
}

export interface AddedDevice {
  device: DeviceConfig;
  hostKey: { keyType: string; fingerprint: string } | null;
  /** `uname -m` of the board, proving the login works (ssh only). */
  arch: string | null;
}

export interface DeviceSummary {
  name: string;
  kind: DeviceConfig['kind'];
  /** "ssh pi@10.0.0.5:22", "serial /dev/ttyUSB0 @115200" */
  address: string;
  hostKeyFingerprint: string | null;
  deployments: number;
  config: DeviceConfig;
}

/** Parses "[USER@]HOST[:PORT]" ("[::1]:22" too); user and port fall back to ~/.ssh/config, then $USER and 22. */
export function parseSshSpec(spec: string, env: NodeJS.ProcessEnv = process.env): { user: string; host: string; port: number } {
  const m = spec.match(/^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d+))?$/);
  if (!m) throw new DeviceInputError(`ssh address must be [USER@]HOST[:PORT] (got '${spec}').`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const alias = readSshConfig(host, sshConfigPath(env), env.HOME);
  const port = m[3] !== undefined ? Number(m[3]) : alias.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DeviceInputError(`ssh port must be 1..65535 (got '${m[3]}').`);
  return { user: m[1] ?? alias.user ?? env.USER ?? userInfo().username, host, port };
}

function address(d: DeviceConfig): string {
  if (d.kind === 'ssh') return `ssh ${d.user}@${d.host}:${d.port}`;
  if (d.kind === 'serial') return `serial ${d.path} @${d.baudRate}`;
  return 'this computer';
}

export class DeviceService {
  readonly store: DeviceStore;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: DeviceServiceOptions = {}) {
    this.env = options.env ?? process.env;
    this.store = options.store ?? new DeviceStore(edgequantHome(this.env));
  }

  private hostIdOf(d: SshDeviceConfig): string {
    return hostIdOf(resolveSshTarget(d, this.env).host, d.port);
  }

  list(): DeviceSummary[] {
    const hosts = this.store.knownHosts();
    return this.store.listDevices().map((d) => ({
      name: d.name,
      kind: d.kind,
      address: address(d),
      hostKeyFingerprint: d.kind === 'ssh' ? hosts[this.hostIdOf(d)]?.fingerprint ?? null : null,
      deployments: this.store.listDeployments(d.name).length,
      config: d,
    }));
  }

  /** The stored device, or "This computer" for 'local'. */
  get(name: string): DeviceConfig {
    return resolveDevice(name, this.store);
  }

  /** The board's host key fingerprint, before any login (for a trust dialog). */
  scanHostKey(ssh: string, timeoutMs?: number): Promise<ScannedHostKey> {
    const { host, port } = parseSshSpec(ssh, this.env);
    const target = readSshConfig(host, sshConfigPath(this.env), this.env.HOME);
    return scanHostKey(target.hostName ?? host, port, timeoutMs);
  }

  private connectOptions(confirmHostKey?: ConfirmHostKey): OpenTransportOptions {
    return {
      store: this.store,
      env: this.env,
      prompt: this.options.prompt,
      secretStore: this.options.secretStore,
      confirmHostKey: confirmHostKey ?? this.options.confirmHostKey,
    };
  }

  /** Opens the named device, runs `work`, always closes the connection. */
  async withTransport<T>(name: string, work: (transport: BoardTransport, device: DeviceConfig) => Promise<T>): Promise<T> {
    const device = this.get(name);
    const transport = await openTransport(device, this.connectOptions());
    try {
      return await work(transport, device);
    } finally {
      await transport.close();
    }
  }

  /** Connects once (host key trusted or refused, login proven), then saves the device. */
  async addSsh(request: AddSshDeviceRequest): Promise<AddedDevice> {
    checkDeviceName(request.name);
    if (this.store.getDevice(request.name)) throw new DeviceInputError(`a device named '${request.name}' exists; remove it first.`);
    if (request.keyFile && !existsSync(request.keyFile)) throw new DeviceInputError(`key file ${request.keyFile} does not exist.`);
    const { user, host, port } = parseSshSpec(request.ssh, this.env);
    const device: SshDeviceConfig = {
      kind: 'ssh', name: request.name, host, port, user,
      ...(request.keyFile ? { keyFile: request.keyFile } : {}),
      ...(request.tfliteLibrary ? { tfliteLibrary: request.tfliteLibrary } : {}),
      ...(request.connectTimeoutMs ? { connectTimeoutMs: request.connectTimeoutMs } : {}),
    };
    const confirm: ConfirmHostKey = async (key) => {
      if (request.trustFingerprint !== undefined) {
        if (key.fingerprint === request.trustFingerprint) return true;
        throw new DeviceError(`host key of ${key.hostId} is ${key.fingerprint}, not the ${request.trustFingerprint} that was confirmed; not trusted.`);
      }
      if (request.trustNew) return true;
      return request.confirmHostKey ? request.confirmHostKey(key) : false;
    };
    const transport = await openTransport(device, this.connectOptions(confirm));
    let arch: string;
    try {
      arch = (await transport.exec('uname -m', { timeoutMs: 30_000 })).stdout.trim();
    } finally {
      await transport.close();
    }
    this.store.saveDevice(device);
    const trusted = this.store.trustedKey(this.hostIdOf(device));
    return { device, hostKey: trusted ? { keyType: trusted.keyType, fingerprint: trusted.fingerprint } : null, arch };
  }

  /** Where the keys made for boards at first login live. */
  get keysDir(): string {
    return join(this.store.dir, 'keys');
  }

  /** Boards reachable right now: serial ports, mDNS names, USB network links, ~/.ssh/config hosts. */
  discover(options: Omit<DiscoverOptions, 'env'> = {}): Promise<DiscoveryResult> {
    return discoverBoards({ ...options, env: this.env });
  }

  /**
   * One-step add of a fresh board: first login by password (host key must have the confirmed
   * fingerprint), a new key pair whose public half is appended to the board's
   * ~/.ssh/authorized_keys, then the usual add with that key (proving key login works). The
   * password is never stored; on any failure the new key files are removed.
   */
  async addWithPassword(request: AddWithPasswordRequest): Promise<AddedDevice & { keyFile: string }> {
    checkDeviceName(request.name);
    if (this.store.getDevice(request.name)) throw new DeviceInputError(`a device named '${request.name}' exists; remove it first.`);
    if (request.password === '') throw new DeviceInputError('the first login needs the board\'s password (it is used once to install a key, never stored).');
    const { user, host, port } = parseSshSpec(request.ssh, this.env);
    const target = readSshConfig(host, sshConfigPath(this.env), this.env.HOME);
    const key = generateBoardKey(this.keysDir, request.name, `edgequant@${hostname()}`);
    try {
      await installKeyWithPassword({
        host: target.hostName ?? host, port, user, password: request.password,
        trustFingerprint: request.trustFingerprint, publicKey: key.publicKey,
        timeoutMs: request.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      });
      const added = await this.addSsh({ name: request.name, ssh: `${user}@${request.ssh.replace(/^[^@]*@/, '')}`, keyFile: key.privateKeyPath, trustFingerprint: request.trustFingerprint, ...(request.connectTimeoutMs ? { connectTimeoutMs: request.connectTimeoutMs } : {}) });
      return { ...added, keyFile: key.privateKeyPath };
    } catch (error) {
      rmSync(key.privateKeyPath, { force: true });
      rmSync(`${key.privateKeyPath}.pub`, { force: true });
      throw error;
    }
  }

  addSerial(request: AddSerialDeviceRequest): AddedDevice {
    checkDeviceName(request.name);
    if (this.store.getDevice(request.name)) throw new DeviceInputError(`a device named '${request.name}' exists; remove it first.`);
    if (!existsSync(request.path)) throw new DeviceInputError(`serial port ${request.path} does not exist; plug the board in, or pick one of the ports discovery lists.`);
    const device: SerialDeviceConfig = {
      kind: 'serial', name: request.name, path: request.path, baudRate: request.baudRate ?? 115200,
      ...(request.user ? { user: request.user } : {}),
      ...(request.tfliteLibrary ? { tfliteLibrary: request.tfliteLibrary } : {}),
    };
    this.store.saveDevice(device);
    return { device, hostKey: null, arch: null };
  }

  /**
   * Changes a stored device's settings (not its address: remove and re-add for that, so the
   * host key is checked again). `null` clears an optional setting.
   */
  update(name: string, patch: DeviceSettingsPatch): DeviceConfig {
    const device = this.store.requireDevice(name);
    const next: Record<string, unknown> = { ...device };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (key === 'keyFile' && device.kind !== 'ssh') throw new DeviceInputError('keyFile applies to ssh devices only.');
      if (key === 'baudRate' && device.kind !== 'serial') throw new DeviceInputError('baudRate applies to serial devices only.');
      if (key === 'keyFile' && typeof value === 'string' && !existsSync(value)) throw new DeviceInputError(`key file ${value} does not exist.`);
      if (value === null) delete next[key];
      else next[key] = value;
    }
    this.store.saveDevice(next as unknown as DeviceConfig);
    return next as unknown as DeviceConfig;
  }

  /** Forgets the device, its deployment records, and its host key when no other device uses it. */
  remove(name: string): void {
    const device = this.store.requireDevice(name);
    this.store.removeDevice(name);
    // A key this app made for the board at first login goes with it.
    if (device.kind === 'ssh' && device.keyFile && dirname(device.keyFile) === this.keysDir) {
      rmSync(device.keyFile, { force: true });
      rmSync(`${device.keyFile}.pub`, { force: true });
    }
    if (device.kind === 'ssh') {
      const hostId = this.hostIdOf(device);
      if (!this.store.listDevices().some((d) => d.kind === 'ssh' && this.hostIdOf(d) === hostId)) this.store.forgetHostKey(hostId);
    }
  }

  async probe(name: string): Promise<DeviceProbe> {
    return this.withTransport(name, async (t, device) => probeDevice(t, { tfliteLibrary: await deviceTfliteLibrary(device) }));
  }

  async deploy(name: string, modelPath: string, options: { project?: string; onProgress?: (p: TransferProgress) => void; signal?: AbortSignal } = {}): Promise<DeployResult> {
    return this.withTransport(name, (t, device) => deployModel(t, modelPath, { ...options, deviceName: device.name, store: this.store }));
  }

  async bench(name: string, modelPath: string, options: Omit<BenchOptions, 'store' | 'tfliteLibrary'> = {}): Promise<BenchResult> {
    return this.withTransport(name, async (t, device) =>
      benchOnDevice(t, device, modelPath, { ...options, store: this.store, tfliteLibrary: await deviceTfliteLibrary(device) }),
    );
  }
}
