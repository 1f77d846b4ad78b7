// mDNS against a responder on this machine's multicast group: the responder (written here, from
// the RFC's packet layout) answers a `raspberrypi.local` A question and a `_ssh._tcp` browse
// pointing at the real test sshd; the decoder is also fed hand-built packets with compression.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { decodeDnsMessage, discoverBoards, DnsPacketError, encodeDnsMessage, mdnsQuery, MDNS_GROUP, RR } from '../../../src-main/devices/discover/index';
import { TestSshd, freePort, sshdMissingReason } from '../../helpers/sshd';

/** A DNS name in wire form, optionally ending in a compression pointer to `pointer`. */
function name(labels: string[], pointer?: number): Buffer {
  const parts = labels.flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([...parts, pointer === undefined ? Buffer.from([0]) : Buffer.from([0xc0 | (pointer >> 8), pointer & 0xff])]);
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v, i * 2));
  return b;
}

function record(owner: Buffer, type: number, data: Buffer, ttl = 120): Buffer {
  const ttlBytes = Buffer.alloc(4);
  ttlBytes.writeUInt32BE(ttl);
  return Buffer.concat([owner, u16(type, 0x8001), ttlBytes, u16(data.length), data]);
}

/**
 * A browse answer as avahi sends it: PTR _ssh._tcp.local → "pi4._ssh._tcp.local" (instance
 * label + pointer to the service name), SRV → "pi4.local" (label + pointer to "local"), A.
 */
function browseAnswer(id: number, sshPort: number): Buffer {
  const header = Buffer.concat([u16(id, 0x8400, 0, 1, 0, 2)]);
  const serviceAt = header.length; // "_ssh._tcp.local" starts right after the header
  const service = name(['_ssh', '_tcp', 'local']);
  const localAt = serviceAt + 1 + 4 + 1 + 4; // the "local" label inside it
  const ptrData = name(['pi4'], serviceAt);
  const ptr = record(service, RR.PTR, ptrData);
  const instanceAt = serviceAt + service.length + 10; // PTR data: "pi4" + pointer
  const srv = record(Buffer.from([0xc0, instanceAt]), RR.SRV, Buffer.concat([u16(0, 0, sshPort), name(['pi4'], localAt)]));
  const a = record(name(['pi4'], localAt), RR.A, Buffer.from([127, 0, 0, 1]));
  return Buffer.concat([header, ptr, srv, a]);
}

test('DNS codec: a query round-trips; compressed answers decode; pointer loops and cut packets are typed errors', () => {
  const query = encodeDnsMessage({ id: 7, questions: [{ name: 'raspberrypi.local', type: RR.A, unicastResponse: true }] });
  assert.deepEqual(decodeDnsMessage(query).questions, [{ name: 'raspberrypi.local', type: RR.A, unicastResponse: true }]);
  const answer = decodeDnsMessage(browseAnswer(9, 2222));
  assert.equal(answer.response, true);
  assert.deepEqual(answer.answers.map((r) => [r.name, r.type]), [['_ssh._tcp.local', RR.PTR]]);
  assert.equal((answer.answers[0] as { target: string }).target, 'pi4._ssh._tcp.local');
  const [srv, a] = answer.additionals;
  assert.deepEqual([srv!.name, (srv as { target: string; port: number }).target, (srv as { port: number }).port], ['pi4._ssh._tcp.local', 'pi4.local', 2222]);
  assert.deepEqual([a!.name, (a as { address: string }).address, a!.cacheFlush], ['pi4.local', '127.0.0.1', true]);
  const loop = Buffer.concat([u16(0, 0x8400, 1, 0, 0, 0), Buffer.from([0xc0, 12]), u16(1, 1)]);
  assert.throws(() => decodeDnsMessage(loop), DnsPacketError);
  assert.throws(() => decodeDnsMessage(browseAnswer(1, 22).subarray(0, 40)), /ends inside|runs past/);
  const ipv6 = encodeDnsMessage({ response: true, answers: [{ name: 'pi.local', type: RR.AAAA, ttl: 1, cacheFlush: false, raw: Uint8Array.from([0xfe, 0x80, ...new Array(13).fill(0), 1]) }] });
  assert.equal((decodeDnsMessage(ipv6).answers[0] as { address: string }).address, 'fe80::1');
});

let sshd: TestSshd | undefined;
let responder: dgram.Socket | undefined;
let port = 0;
let multicast: string | undefined;
const asked: string[] = [];

before(async () => {
  if (sshdMissingReason()) return;
  sshd = await TestSshd.start();
  port = await freePort();
  responder = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => responder!.bind(port, r));
  try {
    responder.addMembership(MDNS_GROUP);
  } catch (error) {
    multicast = `no multicast here (${(error as Error).message})`;
  }
  responder.on('message', (bytes, from) => {
    const q = decodeDnsMessage(bytes);
    asked.push(...q.questions.map((x) => `${x.name}/${x.type}`));
    const reply = (answers: Parameters<typeof encodeDnsMessage>[0]['answers']) =>
      responder!.send(encodeDnsMessage({ id: q.id, response: true, answers }), from.port, from.address);
    for (const question of q.questions) {
      if (question.name === 'raspberrypi.local' && question.type === RR.A) reply([{ name: 'raspberrypi.local', type: RR.A, ttl: 120, cacheFlush: true, address: '127.0.0.1' }]);
      // The browse answer carries only the PTR: the client must ask for SRV and A itself.
      if (question.name === '_ssh._tcp.local') reply([{ name: '_ssh._tcp.local', type: RR.PTR, ttl: 4500, cacheFlush: false, target: 'board._ssh._tcp.local' }]);
      if (question.name === 'board._ssh._tcp.local' && question.type === RR.SRV) reply([{ name: 'board._ssh._tcp.local', type: RR.SRV, ttl: 120, cacheFlush: true, priority: 0, weight: 0, port: sshd!.port, target: 'board.local' }]);
      if (question.name === 'board.local' && question.type === RR.A) reply([{ name: 'board.local', type: RR.A, ttl: 120, cacheFlush: true, address: '127.0.0.1' }]);
    }
  });
});

after(async () => {
  responder?.close();
  await sshd?.dispose();
});

test('mDNS over the multicast group: raspberrypi.local and a browsed _ssh._tcp service reach the test sshd', async (t) => {
  if (!sshd) return t.skip(sshdMissingReason()!);
  if (multicast) return t.skip(`${multicast}; the codec test above covers the packets`);
  const hosts = await mdnsQuery({ port, timeoutMs: 800 });
  assert.deepEqual(hosts.map((h) => [h.name, h.addresses, h.port]), [['raspberrypi.local', ['127.0.0.1'], undefined], ['board.local', ['127.0.0.1'], sshd.port]]);
  assert.ok(asked.includes('board._ssh._tcp.local/33') && asked.includes('board.local/1'), `follow-up questions asked: ${asked.join(', ')}`);

  const result = await discoverBoards({ sources: ['mdns'], mdns: { port }, timeoutMs: 1500, env: {} });
  const board = result.candidates.find((c) => c.kind === 'ssh' && c.port === sshd!.port);
  assert.ok(board && board.kind === 'ssh', JSON.stringify(result));
  assert.equal(board.ssh, `127.0.0.1:${sshd.port}`);
  assert.equal(board.reachable, true);
  assert.match(board.label, /^board\.local \(127\.0\.0\.1\)$/);
  assert.deepEqual(result.sources.map((s) => [s.source, s.found, s.note]), [['mdns', 2, undefined]]);
});

test('mDNS with nobody answering: an empty list and a one-line note, within the budget', async () => {
  const silentPort = await freePort();
  const started = performance.now();
  const result = await discoverBoards({ sources: ['mdns'], mdns: { port: silentPort }, timeoutMs: 900, env: {} });
  assert.ok(performance.now() - started < 2500, 'bounded');
  assert.deepEqual(result.candidates, []);
  assert.match(result.sources[0]!.note ?? '', /^no mDNS answer for raspberrypi\.local, _ssh\._tcp\.local within \d\.\d s\.$/);
});
