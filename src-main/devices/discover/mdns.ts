// A small mDNS client (RFC 6762) over node:dgram: asks for `raspberrypi.local`-style names and
// browses `_ssh._tcp`, as a one-shot "legacy unicast" query from an ephemeral port, so it needs
// no bind to 5353 (often taken by avahi) and responders answer straight back to us. Bounded in
// time: it listens for `timeoutMs` and returns what arrived.
import dgram from 'node:dgram';
import { decodeDnsMessage, encodeDnsMessage, RR, type DnsQuestion, type DnsRecord } from './mdns-packet';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
export const SSH_SERVICE = '_ssh._tcp.local';

export interface MdnsQueryOptions {
  hostNames?: string[];
  services?: string[];
  timeoutMs?: number;
  /** Where queries go (tests run a responder on another port of the same group). */
  group?: string;
  port?: number;
}

export interface MdnsHost {
  /** The host name asked for or the service's target ("pi4.local"). */
  name: string;
  addresses: string[];
  /** The service instance ("pi4._ssh._tcp.local") when found by browsing. */
  instance?: string;
  port?: number;
}

export class MdnsError extends Error {
  override name = 'MdnsError';
}

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Turns the records that arrived into hosts: asked names with addresses, and browsed services. */
export function hostsFromRecords(records: DnsRecord[], hostNames: string[], services: string[]): MdnsHost[] {
  const addresses = new Map<string, string[]>();
  for (const r of records) {
    if (r.type !== RR.A && r.type !== RR.AAAA) continue;
    const list = addresses.get(lower(r.name)) ?? [];
    const address = (r as { address: string }).address;
    if (!list.includes(address)) list.push(address);
    addresses.set(lower(r.name), list);
  }
  // IPv4 first: what a user types and what every board's sshd listens on.
  const of = (name: string) => [...(addresses.get(lower(name)) ?? [])].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
  const hosts: MdnsHost[] = [];
  for (const name of hostNames) if (of(name).length) hosts.push({ name: lower(name), addresses: of(name) });
  const wanted = new Set(services.map(lower));
  const instances = new Set(records.filter((r) => r.type === RR.PTR && wanted.has(lower(r.name))).map((r) => lower((r as { target: string }).target)));
  for (const instance of instances) {
    const srv = records.find((r) => r.type === RR.SRV && lower(r.name) === instance) as (DnsRecord & { port: number; target: string }) | undefined;
    if (!srv) continue;
    hosts.push({ name: lower(srv.target), addresses: of(srv.target), instance, port: srv.port });
  }
  return hosts;
}

/** Sends the questions and collects every record of every answer until the time is up. */
export function mdnsQuery(options: MdnsQueryOptions = {}): Promise<MdnsHost[]> {
  const hostNames = options.hostNames ?? ['raspberrypi.local'];
  const services = options.services ?? [SSH_SERVICE];
  const timeoutMs = options.timeoutMs ?? 1500;
  const group = options.group ?? MDNS_GROUP;
  const port = options.port ?? MDNS_PORT;
  const id = Math.floor(Math.random() * 0xffff);
  const questions: DnsQuestion[] = [
    ...hostNames.flatMap((name) => [{ name, type: RR.A, unicastResponse: true }, { name, type: RR.AAAA, unicastResponse: true }]),
    ...services.map((name) => ({ name, type: RR.PTR, unicastResponse: true })),
  ];
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4' });
    const records: DnsRecord[] = [];
    const askedFollowUp = new Set<string>();
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(hostsFromRecords(records, hostNames, services));
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    const send = (qs: DnsQuestion[]) =>
      socket.send(encodeDnsMessage({ id, questions: qs }), port, group, (error) => {
        if (error) finish(new MdnsError(`cannot send an mDNS query to ${group}:${port} (${(error as NodeJS.ErrnoException).code ?? error.message}); no multicast route on this network?`));
      });
    socket.on('error', (error) => finish(new MdnsError(`mDNS socket failed (${error.message}).`)));
    socket.on('message', (bytes) => {
      let message;
      try {
        message = decodeDnsMessage(bytes);
      } catch {
        // Another host's malformed packet is not our failure: skip it.
        return;
      }
      if (!message.response) return;
      const arrived = [...message.answers, ...message.additionals];
      records.push(...arrived);
      // A browse answer without its SRV/A records: ask for them once.
      const missing: DnsQuestion[] = [];
      for (const r of arrived) {
        if (r.type !== RR.PTR) continue;
        const instance = lower((r as { target: string }).target);
        if (askedFollowUp.has(instance) || records.some((x) => x.type === RR.SRV && lower(x.name) === instance)) continue;
        askedFollowUp.add(instance);
        missing.push({ name: instance, type: RR.SRV, unicastResponse: true });
      }
      for (const r of arrived) {
        if (r.type !== RR.SRV) continue;
        const target = lower((r as { target: string }).target);
        if (askedFollowUp.has(target) || records.some((x) => x.type === RR.A && lower(x.name) === target)) continue;
        askedFollowUp.add(target);
        missing.push({ name: target, type: RR.A, unicastResponse: true });
      }
      if (missing.length) send(missing);
    });
    socket.bind(0, () => {
      try {
        socket.setMulticastTTL(255);
        socket.setMulticastLoopback(true);
      } catch (error) {
        finish(new MdnsError(`cannot set up multicast (${(error as Error).message}).`));
        return;
      }
      send(questions);
    });
  });
}
