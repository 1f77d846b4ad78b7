// Finds boards the user can add without typing: serial ports (USB ids and names from sysfs,
// never udevadm), `*.local` names and `_ssh._tcp` services over mDNS, USB-gadget network links
// and the hosts of ~/.ssh/config. Sources run in parallel, each within the time budget; a source
// that fails or runs out of time adds a one-line note and never fails the whole discovery.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sshConfigPath } from '../ssh/config-file';
import { listSerialPorts } from '../serial/ports';
import { listLinuxSerialPorts } from '../serial/linux-ports';
import { mdnsQuery, MDNS_PORT, SSH_SERVICE, type MdnsQueryOptions } from './mdns';
import { listUsbNetLinks } from './usb-net';
import { usbSerialName } from '../serial/usb-ids';
import { sshConfigCandidates } from './ssh-config-source';
import { tcpReachable } from './reach';
import type { DiscoveryCandidate, DiscoveryResult, DiscoverySourceName, SerialCandidate, SourceReport, SshCandidate } from './types';

export const DEFAULT_DISCOVERY_MS = 3000;

export interface DiscoverOptions {
  /** The whole discovery's budget; each source gets it, the reach checks a third. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Where /sys, /dev and /proc are (tests build a tree): default '/' or $EDGEQUANT_DISCOVERY_ROOT. */
  root?: string;
  mdns?: Omit<MdnsQueryOptions, 'timeoutMs'>;
  sources?: DiscoverySourceName[];
}

const ALL_SOURCES: DiscoverySourceName[] = ['serial', 'usb-net', 'mdns', 'ssh-config'];

class SourceTimeout extends Error {}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new SourceTimeout()), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

async function serialSource(root: string): Promise<{ found: SerialCandidate[]; note?: string }> {
  const sys = join(root, 'sys');
  const ports = await listSerialPorts({
    list: async () => listLinuxSerialPorts({ sys, dev: join(root, 'dev') }),
    udev: async () => undefined, // sysfs only: udevadm may be absent and can hang
  });
  const found = ports.map((p): SerialCandidate => ({
    kind: 'serial',
    source: 'serial',
    label: p.friendlyName === p.path ? `Serial port ${p.path}` : p.friendlyName,
    // The by-id name survives replugging; the board is stored under it when there is one.
    path: p.byIdPath ?? p.path,
    usb: p.usb,
    ...(p.vendorId ? { vendorId: p.vendorId } : {}),
    ...(p.productId ? { productId: p.productId } : {}),
    detail: [p.path, p.vendorId ? `USB ${p.vendorId}:${p.productId ?? '????'}` : 'on-board UART', p.serialNumber ? `serial ${p.serialNumber}` : ''].filter(Boolean).join(', '),
  }));
  return found.length ? { found } : { found, note: 'no serial ports: plug in a USB-serial adapter or the board\'s USB console.' };
}

async function usbNetSource(root: string, reachMs: number): Promise<{ found: SshCandidate[]; note?: string }> {
  const links = listUsbNetLinks({ sys: join(root, 'sys'), arp: join(root, 'proc', 'net', 'arp') });
  if (links.length === 0) return { found: [], note: 'no USB network link (usb0/ncm/rndis): none plugged in as a USB gadget.' };
  const found: SshCandidate[] = [];
  const silent: string[] = [];
  for (const link of links) {
    const what = link.product ?? (link.vendorId ? usbSerialName(link.vendorId, link.productId) : undefined) ?? link.driver ?? 'USB network';
    if (link.peers.length === 0) silent.push(`${link.interface} (${what}${link.up ? '' : ', down'})`);
    for (const peer of link.peers) {
      const reachable = await tcpReachable(peer, 22, reachMs);
      found.push({ kind: 'ssh', source: 'usb-net', label: `${peer} on ${link.interface}`, ssh: peer, host: peer, port: 22, detail: `USB network link ${link.interface} (${what})${reachable ? '' : ', no SSH answer now'}`, reachable });
    }
  }
  return silent.length ? { found, note: `no board seen yet on ${silent.join(', ')}; try its .local name.` } : { found };
}

async function mdnsSource(options: DiscoverOptions['mdns'], env: NodeJS.ProcessEnv, timeoutMs: number, reachMs: number): Promise<{ found: SshCandidate[]; note?: string }> {
  const port = options?.port ?? (env.EDGEQUANT_MDNS_PORT ? Number(env.EDGEQUANT_MDNS_PORT) : MDNS_PORT);
  const hosts = await mdnsQuery({ ...options, port, timeoutMs });
  const found = await Promise.all(
    hosts.filter((h) => h.addresses.length > 0).map(async (h): Promise<SshCandidate> => {
      const address = h.addresses[0]!;
      const sshPort = h.port ?? 22;
      const reachable = await tcpReachable(address, sshPort, reachMs);
      const spec = address.includes(':') ? `[${address}]` : address;
      return {
        kind: 'ssh', source: 'mdns', label: `${h.name} (${address})`, ssh: sshPort === 22 ? spec : `${spec}:${sshPort}`, host: address, port: sshPort,
        detail: `mDNS ${h.instance ? `service ${h.instance}` : `name ${h.name}`}${reachable ? '' : ', no SSH answer now'}`, reachable,
      };
    }),
  );
  const asked = [...(options?.hostNames ?? ['raspberrypi.local']), ...(options?.services ?? [SSH_SERVICE])].join(', ');
  return found.length ? { found } : { found, note: `no mDNS answer for ${asked} within ${(timeoutMs / 1000).toFixed(1)} s.` };
}

/** Runs every source in parallel; returns within about `timeoutMs` whatever each found. */
export async function discoverBoards(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const env = options.env ?? process.env;
  const budget = options.timeoutMs ?? DEFAULT_DISCOVERY_MS;
  const root = options.root ?? env.EDGEQUANT_DISCOVERY_ROOT ?? '/';
  const reachMs = Math.max(200, Math.round(budget / 3));
  // mDNS listens for part of the budget, leaving time to check that the boards answer.
  const listenMs = Math.max(300, budget - reachMs - 200);
  const started = performance.now();
  const run: Record<DiscoverySourceName, () => Promise<{ found: DiscoveryCandidate[]; note?: string }>> = {
    serial: () => serialSource(root),
    'usb-net': () => usbNetSource(root, reachMs),
    mdns: () => mdnsSource(options.mdns, env, listenMs, reachMs),
    'ssh-config': async () => {
      const path = sshConfigPath(env);
      const found = await sshConfigCandidates(path, env.HOME ?? '', reachMs);
      return found.length ? { found } : { found, note: `no Host entries in ${path}.` };
    },
  };
  const names = options.sources ?? ALL_SOURCES;
  const results = await Promise.all(
    names.map(async (source): Promise<{ report: SourceReport; found: DiscoveryCandidate[] }> => {
      const t0 = performance.now();
      const ms = () => Math.round(performance.now() - t0);
      try {
        const { found, note } = await within(run[source](), budget);
        return { found, report: { source, found: found.length, ms: ms(), ...(note ? { note } : {}) } };
      } catch (error) {
        const note = error instanceof SourceTimeout ? `no result within ${(budget / 1000).toFixed(1)} s.` : error instanceof Error ? error.message : String(error);
        return { found: [], report: { source, found: 0, ms: ms(), note } };
      }
    }),
  );
  return { candidates: dedupe(results.flatMap((r) => r.found)), sources: results.map((r) => r.report), ms: Math.round(performance.now() - started) };
}

/** One entry per board: an ssh-config alias (it carries user and key) wins over the same host seen otherwise. */
function dedupe(candidates: DiscoveryCandidate[]): DiscoveryCandidate[] {
  const rank = (c: DiscoveryCandidate) => (c.source === 'ssh-config' ? 0 : c.source === 'usb-net' ? 1 : 2);
  const seen = new Set<string>();
  const kept: DiscoveryCandidate[] = [];
  for (const c of [...candidates].sort((a, b) => rank(a) - rank(b))) {
    const key = c.kind === 'ssh' ? `ssh ${c.host}:${c.port}` : `serial ${c.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(c);
  }
  // Back in source order: serial, USB network, mDNS, ssh config.
  return kept.sort((a, b) => ALL_SOURCES.indexOf(a.source) - ALL_SOURCES.indexOf(b.source));
}
