// Any host on the network can send us mDNS packets: 20,000 seeded corruptions of real answers
// (bit flips, cuts, bogus counts and pointers) must each decode or fail with DnsPacketError —
// never another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDnsMessage, DnsPacketError, encodeDnsMessage, RR } from '../../../src-main/devices/discover/index';
import { seededRandom } from '../../../src-main/seeded-random';

const answer = encodeDnsMessage({
  id: 0,
  response: true,
  answers: [{ name: '_ssh._tcp.local', type: RR.PTR, ttl: 4500, cacheFlush: false, target: 'pi4._ssh._tcp.local' }],
  additionals: [
    { name: 'pi4._ssh._tcp.local', type: RR.SRV, ttl: 120, cacheFlush: true, priority: 0, weight: 0, port: 22, target: 'pi4.local' },
    { name: 'pi4._ssh._tcp.local', type: RR.TXT, ttl: 120, cacheFlush: true, entries: ['board=pi4', 'os=bookworm'] },
    { name: 'pi4.local', type: RR.A, ttl: 120, cacheFlush: true, address: '10.0.0.7' },
    { name: 'pi4.local', type: RR.AAAA, ttl: 120, cacheFlush: true, raw: Uint8Array.from({ length: 16 }, (_, i) => i) },
  ],
});

test('20,000 corrupted mDNS answers: each decodes or throws DnsPacketError, quickly', () => {
  const random = seededRandom(14);
  const pick = (n: number) => Math.floor(random() * n);
  let decoded = 0;
  let refused = 0;
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    const bytes = Buffer.from(answer);
    const edits = 1 + pick(6);
    for (let e = 0; e < edits; e++) {
      const at = pick(bytes.length);
      const kind = pick(4);
      if (kind === 0) bytes[at] = bytes[at]! ^ (1 << pick(8));
      else if (kind === 1) bytes[at] = pick(256);
      else if (kind === 2) bytes[at] = 0xc0 | pick(4); // a compression pointer anywhere
      else bytes.writeUInt16BE(pick(0x10000), Math.min(at, bytes.length - 2));
    }
    const cut = random() < 0.3 ? bytes.subarray(0, pick(bytes.length)) : bytes;
    try {
      decodeDnsMessage(cut);
      decoded++;
    } catch (error) {
      assert.ok(error instanceof DnsPacketError, `case ${i}: ${(error as Error).stack}`);
      refused++;
    }
  }
  assert.ok(decoded > 1000 && refused > 1000, `decoded ${decoded}, refused ${refused}`);
  assert.ok(performance.now() - started < 20_000);
});
