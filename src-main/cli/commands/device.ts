// `edgequant device add|list|probe|remove|ports|discover`: boards over SSH or a serial console.
import { resolve } from 'node:path';
import { parseCommandArgs, parsePositiveInt, printJson, type CliIO, type Command } from '../command';
import { InputError } from '../../errors';
import { DeviceService, terminalHostKeyConfirm, terminalSecretPrompt, type DeviceProbe } from '../../devices/index';

const USAGE = `Usage:
  edgequant device add NAME (--ssh [USER@]HOST[:PORT] [--key FILE] | --serial PATH [--baud N] [--user NAME])
                       [--tflite-lib PATH_ON_BOARD] [--connect-timeout SEC] [--trust] [--install-key] [--json]
  edgequant device discover [--timeout SEC] [--json]   (boards seen now: serial ports, *.local, USB network, ~/.ssh/config)
  edgequant device list [--json]
  edgequant device probe NAME [--json]       (NAME may be 'local': this computer)
  edgequant device remove NAME
  edgequant device ports [--json]           (serial ports: USB ids, serial numbers, adapter names)

HOST may be a Host alias of ~/.ssh/config (HostName, User, Port, IdentityFile are honoured).
On first contact the host key's SHA256 fingerprint is shown; --trust stores it without asking.
A changed host key is always refused. Passwords and passphrases are asked on the terminal, never stored.
--install-key: a fresh board: log in once by password, install a new key made for it
($EDGEQUANT_HOME/keys) in the board's ~/.ssh/authorized_keys, and use that key from then on.
State lives in $EDGEQUANT_HOME (default: the platform config dir).`;

/** The device service for a CLI run: terminal prompts; unknown host keys asked on a TTY only. */
export function cliDeviceService(io: CliIO): DeviceService {
  return new DeviceService({
    env: io.env,
    prompt: terminalSecretPrompt,
    confirmHostKey: terminalHostKeyConfirm(false, (line) => io.stderr(line + '\n')),
  });
}

async function add(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('device add', argv, {
    ssh: { type: 'string' },
    key: { type: 'string' },
    serial: { type: 'string' },
    baud: { type: 'string' },
    user: { type: 'string' },
    'tflite-lib': { type: 'string' },
    'connect-timeout': { type: 'string' },
    trust: { type: 'boolean', default: false },
    'install-key': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new InputError(`device add needs exactly one NAME (see 'edgequant device --help').`);
  if ((values.ssh === undefined) === (values.serial === undefined)) throw new InputError('device add needs either --ssh or --serial.');
  const service = cliDeviceService(io);
  const tfliteLibrary = values['tflite-lib'];
  if (values.serial !== undefined) {
    if (values.key) throw new InputError('--key applies to --ssh devices only.');
    const added = service.addSerial({ name, path: values.serial, baudRate: parsePositiveInt('--baud', values.baud, 115200), tfliteLibrary, ...(values.user ? { user: values.user } : {}) });
    if (values.json) printJson(io, added);
    else io.stdout(`Added ${name} (serial ${values.serial}).\n`);
    return 0;
  }
  if (values['install-key']) return addInstallingKey(name, values.ssh!, values.trust, values.json, io);
  const timeoutSec = values['connect-timeout'] === undefined ? undefined : Number(values['connect-timeout']);
  if (timeoutSec !== undefined && !(timeoutSec > 0)) throw new InputError('--connect-timeout must be a positive number of seconds.');
  const added = await service.addSsh({
    name,
    ssh: values.ssh!,
    keyFile: values.key === undefined ? undefined : resolve(io.cwd, values.key),
    tfliteLibrary,
    connectTimeoutMs: timeoutSec === undefined ? undefined : Math.round(timeoutSec * 1000),
    confirmHostKey: terminalHostKeyConfirm(values.trust, (line) => io.stderr(line + '\n')),
  });
  if (values.json) printJson(io, added);
  else {
    const d = added.device;
    const address = d.kind === 'ssh' ? `${d.user}@${d.host}:${d.port}` : '';
    io.stdout(`Added ${name} (ssh ${address}, ${added.arch}); host key ${added.hostKey?.keyType ?? ''} ${added.hostKey?.fingerprint ?? ''}.\n`);
  }
  return 0;
}

/** A fresh board: its host key confirmed, one password login to install a key made for it. */
async function addInstallingKey(name: string, ssh: string, trust: boolean, json: boolean, io: CliIO): Promise<number> {
  const service = cliDeviceService(io);
  const scanned = await service.scanHostKey(ssh);
  const confirm = terminalHostKeyConfirm(trust, (line) => io.stderr(line + '\n'));
  if (!(await confirm({ ...scanned, key: Buffer.alloc(0) }))) throw new InputError(`host key of ${scanned.hostId} not trusted; check ${scanned.fingerprint} and pass --trust.`);
  const password = await terminalSecretPrompt(`Password for ${ssh} (used once to install a key, not stored): `);
  if (password === undefined) throw new InputError('--install-key needs a terminal to ask the board\'s password.');
  const added = await service.addWithPassword({ name, ssh, password, trustFingerprint: scanned.fingerprint });
  if (json) printJson(io, added);
  else io.stdout(`Added ${name} (${added.arch}); key ${added.keyFile} installed on the board, password not stored.\n`);
  return 0;
}

async function discover(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('device discover', argv, { timeout: { type: 'string' }, json: { type: 'boolean', default: false } });
  const seconds = values.timeout === undefined ? 3 : Number(values.timeout);
  if (!(seconds >= 0.3 && seconds <= 15)) throw new InputError('--timeout must be 0.3..15 seconds.');
  const result = await cliDeviceService(io).discover({ timeoutMs: Math.round(seconds * 1000) });
  if (values.json) {
    printJson(io, result);
    return 0;
  }
  for (const c of result.candidates) {
    const address = c.kind === 'ssh' ? `--ssh ${c.ssh}` : `--serial ${c.path}`;
    io.stdout(`${c.source.padEnd(11)} ${c.label.padEnd(36)} ${address.padEnd(30)} ${c.detail}\n`);
  }
  if (result.candidates.length === 0) io.stdout('No boards found.\n');
  for (const s of result.sources) if (s.note) io.stdout(`  ${s.source}: ${s.note}\n`);
  return 0;
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('device list', argv, { json: { type: 'boolean', default: false } });
  const rows = cliDeviceService(io).list();
  if (values.json) printJson(io, { devices: rows });
  else if (rows.length === 0) io.stdout(`No devices. Add one with 'edgequant device add NAME --ssh USER@HOST'.\n`);
  else for (const r of rows) io.stdout(`${r.name.padEnd(16)} ${r.address.padEnd(34)} ${r.hostKeyFingerprint ?? ''}\n`);
  return 0;
}

function formatProbe(name: string, p: DeviceProbe): string {
  const rt = p.runtimes.map((r) => `${r.name}${r.version ? ' ' + r.version : ''}${r.usable ? '' : ' (needs numpy)'}`).join(', ') || 'none';
  return [
    `${name}: ${p.arch}, ${p.os ?? p.kernel}`,
    `  CPU      ${p.cpuModel ?? '?'} x ${p.cores}${p.cpuFreqMhz.max ? `, ${p.cpuFreqMhz.current ?? '?'}/${p.cpuFreqMhz.max} MHz` : ''}${p.governor ? ` (governor ${p.governor})` : ''}`,
    `  RAM      ${p.ramMb ?? '?'} MB, free disk ${p.diskFreeMb ?? '?'} MB`,
    `  Python   ${p.python ?? 'not installed'}${p.numpy ? ' + numpy' : ''}`,
    `  TFLite   ${rt}; best: ${p.bestRuntime ?? 'none'}${p.benchmarkModel ? `; benchmark_model ${p.benchmarkModel}` : ''}`,
    `  Thermal  ${p.temperatureC === null ? 'n/a' : `${p.temperatureC} °C`}${p.throttled ? `, throttled ${p.throttled}` : ''}`,
  ].join('\n') + '\n';
}

async function probe(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('device probe', argv, { json: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new InputError('device probe needs one NAME.');
  const result = await cliDeviceService(io).probe(positionals[0]!);
  if (values.json) printJson(io, { device: positionals[0], ...result });
  else io.stdout(formatProbe(positionals[0]!, result));
  return 0;
}

async function remove(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommandArgs('device remove', argv, {});
  if (positionals.length !== 1) throw new InputError('device remove needs one NAME.');
  cliDeviceService(io).remove(positionals[0]!);
  io.stdout(`Removed ${positionals[0]}.\n`);
  return 0;
}

async function ports(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('device ports', argv, { json: { type: 'boolean', default: false } });
  const { listSerialPorts } = await import('../../devices/serial/index');
  const found = await listSerialPorts();
  if (values.json) printJson(io, { ports: found });
  else if (found.length === 0) io.stdout('No serial ports found. Plug the board in (USB-serial adapter or USB gadget) and try again.\n');
  else {
    for (const p of found) {
      const ids = p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '';
      io.stdout(`${p.path.padEnd(22)} ${ids.padEnd(10)} ${p.friendlyName}${p.serialNumber ? ` (serial ${p.serialNumber})` : ''}\n`);
      if (p.byIdPath) io.stdout(`${''.padEnd(22)} stable name: ${p.byIdPath}\n`);
    }
  }
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
      case 'ports': return ports(rest, io);
      case 'discover': return discover(rest, io);
      default: throw new InputError(`device needs a subcommand: add, list, probe, remove, ports or discover (got '${sub ?? ''}').`);
    }
  },
};
