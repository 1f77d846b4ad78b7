// `edgequant device add|list|probe|remove`: boards over SSH or a serial console.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseCommandArgs, parsePositiveInt, printJson, type CliIO, type Command } from '../command';
import { InputError } from '../../errors';
import {
  DeviceStore, checkDeviceName, edgequantHome, hostIdOf, openTransport, probeDevice, readSshConfig, resolveDevice,
  resolveSshTarget, terminalHostKeyConfirm, terminalSecretPrompt, deviceTfliteLibrary,
  type DeviceConfig, type OpenTransportOptions, type SshDeviceConfig, type BoardTransport, type DeviceProbe,
} from '../../devices/index';
import { sshConfigPath } from '../../devices/ssh/config-file';

const USAGE = `Usage:
  edgequant device add NAME (--ssh [USER@]HOST[:PORT] [--key FILE] | --serial PATH [--baud N])
                       [--tflite-lib PATH_ON_BOARD] [--connect-timeout SEC] [--trust] [--json]
  edgequant device list [--json]
  edgequant device probe NAME [--json]       (NAME may be 'local': this computer)
  edgequant device remove NAME

HOST may be a Host alias of ~/.ssh/config (HostName, User, Port, IdentityFile are honoured).
On first contact the host key's SHA256 fingerprint is shown; --trust stores it without asking.
A changed host key is always refused. Passwords and passphrases are asked on the terminal, never stored.
State lives in $EDGEQUANT_HOME (default: the platform config dir).`;

export function cliStore(io: CliIO): DeviceStore {
  return new DeviceStore(edgequantHome(io.env));
}

/** Connection options for the CLI: terminal prompts, host keys confirmed only with --trust or on a TTY. */
export function cliConnectOptions(io: CliIO, store: DeviceStore, trust = false): OpenTransportOptions {
  return {
    store,
    env: io.env,
    prompt: terminalSecretPrompt,
    confirmHostKey: terminalHostKeyConfirm(trust, (line) => io.stderr(line + '\n')),
  };
}

/** Opens a device, runs `work`, always closes. */
export async function withDevice<T>(device: DeviceConfig, options: OpenTransportOptions, work: (t: BoardTransport) => Promise<T>): Promise<T> {
  const transport = await openTransport(device, options);
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}

function parseSshSpec(spec: string, env: NodeJS.ProcessEnv): { user: string; host: string; port: number } {
  const m = spec.match(/^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/);
  if (!m) throw new InputError(`--ssh must be [USER@]HOST[:PORT] (got '${spec}').`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const alias = readSshConfig(host, sshConfigPath(env), env.HOME);
  const port = m[3] !== undefined ? Number(m[3]) : alias.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`--ssh port must be 1..65535 (got '${m[3]}').`);
  const user = m[1] ?? alias.user ?? env.USER ?? userInfo().username;
  return { user, host, port };
}

async function add(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('device add', argv, {
    ssh: { type: 'string' },
    key: { type: 'string' },
    serial: { type: 'string' },
    baud: { type: 'string' },
    'tflite-lib': { type: 'string' },
    'connect-timeout': { type: 'string' },
    trust: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new InputError(`device add needs exactly one NAME (see 'edgequant device --help').`);
  checkDeviceName(name);
  if ((values.ssh === undefined) === (values.serial === undefined)) throw new InputError('device add needs either --ssh or --serial.');
  const store = cliStore(io);
  if (store.getDevice(name)) throw new InputError(`a device named '${name}' exists; remove it first ('edgequant device remove ${name}').`);
  const tfliteLibrary = values['tflite-lib'];

  if (values.serial !== undefined) {
    if (values.key) throw new InputError('--key applies to --ssh devices only.');
    const device: DeviceConfig = { kind: 'serial', name, path: values.serial, baudRate: parsePositiveInt('--baud', values.baud, 115200), ...(tfliteLibrary ? { tfliteLibrary } : {}) };
    store.saveDevice(device);
    if (values.json) printJson(io, { device });
    else io.stdout(`Added ${name} (serial ${device.path} at ${device.baudRate} baud).\n`);
    return 0;
  }
  const { user, host, port } = parseSshSpec(values.ssh!, io.env);
  const keyFile = values.key === undefined ? undefined : resolve(io.cwd, values.key);
  if (keyFile && !existsSync(keyFile)) throw new InputError(`--key file ${keyFile} does not exist.`);
  const timeoutSec = values['connect-timeout'] === undefined ? undefined : Number(values['connect-timeout']);
  if (timeoutSec !== undefined && !(timeoutSec > 0)) throw new InputError(`--connect-timeout must be a positive number of seconds.`);
  const device: SshDeviceConfig = {
    kind: 'ssh', name, host, port, user,
    ...(keyFile ? { keyFile } : {}),
    ...(tfliteLibrary ? { tfliteLibrary } : {}),
    ...(timeoutSec ? { connectTimeoutMs: Math.round(timeoutSec * 1000) } : {}),
  };
  // Connect once: the host key gets trusted (or refused) and the login is proven before saving.
  const arch = await withDevice(device, cliConnectOptions(io, store, values.trust), async (t) => (await t.exec('uname -m')).stdout.trim());
  store.saveDevice(device);
  const target = resolveSshTarget(device, io.env);
  const trusted = store.trustedKey(hostIdOf(target.host, target.port));
  if (values.json) printJson(io, { device, hostKey: trusted ? { type: trusted.keyType, fingerprint: trusted.fingerprint } : null, arch });
  else io.stdout(`Added ${name} (ssh ${user}@${host}:${port}, ${arch}); host key ${trusted?.keyType ?? ''} ${trusted?.fingerprint ?? ''}.\n`);
  return 0;
}

function address(d: DeviceConfig): string {
  if (d.kind === 'ssh') return `ssh ${d.user}@${d.host}:${d.port}`;
  if (d.kind === 'serial') return `serial ${d.path} @${d.baudRate}`;
  return 'this computer';
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('device list', argv, { json: { type: 'boolean', default: false } });
  const store = cliStore(io);
  const devices = store.listDevices();
  const hosts = store.knownHosts();
  const rows = devices.map((d) => {
    const hostKey = d.kind === 'ssh' ? hosts[hostIdOf(resolveSshTarget(d, io.env).host, d.port)] : undefined;
    return { ...d, address: address(d), hostKeyFingerprint: hostKey?.fingerprint ?? null, deployments: store.listDeployments(d.name).length };
  });
  if (values.json) {
    printJson(io, { devices: rows });
    return 0;
  }
  if (rows.length === 0) io.stdout(`No devices. Add one with 'edgequant device add NAME --ssh USER@HOST'.\n`);
  for (const r of rows) io.stdout(`${r.name.padEnd(16)} ${r.address.padEnd(32)} ${r.hostKeyFingerprint ?? ''}\n`);
  return 0;
}

function formatProbe(name: string, p: DeviceProbe): string {
  const rt = p.runtimes.map((r) => `${r.name}${r.version ? ' ' + r.version : ''}${r.usable ? '' : ' (needs numpy)'}`).join(', ') || 'none';
  return [
    `${name}: ${p.arch}, ${p.os ?? p.kernel}`,
    `  CPU      ${p.cpuModel ?? '?'} x ${p.cores}${p.governor ? ` (governor ${p.governor})` : ''}`,
    `  RAM      ${p.ramMb ?? '?'} MB, free disk ${p.diskFreeMb ?? '?'} MB`,
    `  Python   ${p.python ?? 'not installed'}${p.numpy ? ' + numpy' : ''}`,
    `  TFLite   ${rt}; best: ${p.bestRuntime ?? 'none'}${p.benchmarkModel ? `; benchmark_model ${p.benchmarkModel}` : ''}`,
    `  Thermal  ${p.temperatureC === null ? 'n/a' : `${p.temperatureC} °C`}${p.throttled ? `, throttled ${p.throttled}` : ''}`,
  ].join('\n') + '\n';
}

async function probe(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('device probe', argv, { json: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new InputError('device probe needs one NAME.');
  const store = cliStore(io);
  const device = resolveDevice(positionals[0]!, store);
  const tfliteLibrary = await deviceTfliteLibrary(device);
  const result = await withDevice(device, cliConnectOptions(io, store), (t) => probeDevice(t, { tfliteLibrary }));
  if (values.json) printJson(io, { device: device.name, ...result });
  else io.stdout(formatProbe(device.name, result));
  return 0;
}

async function remove(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommandArgs('device remove', argv, {});
  if (positionals.length !== 1) throw new InputError('device remove needs one NAME.');
  const store = cliStore(io);
  const device = store.requireDevice(positionals[0]!);
  store.removeDevice(device.name);
  if (device.kind === 'ssh') {
    const hostId = hostIdOf(resolveSshTarget(device, io.env).host, device.port);
    const stillUsed = store.listDevices().some((d) => d.kind === 'ssh' && hostIdOf(resolveSshTarget(d, io.env).host, d.port) === hostId);
    if (!stillUsed) store.forgetHostKey(hostId);
  }
  io.stdout(`Removed ${device.name}.\n`);
  return 0;
}

export const deviceCommand: Command = {
  name: 'device',
  summary: 'Add, list, probe or remove edge boards (SSH or serial)',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'add': return add(rest, io);
      case 'list': return list(rest, io);
      case 'probe': return probe(rest, io);
      case 'remove': return remove(rest, io);
      default: throw new InputError(`device needs a subcommand: add, list, probe or remove (got '${sub ?? ''}').`);
    }
  },
};
