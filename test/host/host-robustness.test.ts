// The real host process (from source) against malformed requests and messages, without and
// with the token: each gets a 4xx, an error reply or a close of its own socket, and the host
// still serves its page and answers an API call afterwards. Today's code died on several.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSourceHost, type HostProcess } from '../helpers/host';
import { healthy, openApiSocket, rawExchange, sendFrame } from '../helpers/host-probe';

let host: HostProcess;
const renderer = mkdtempSync(join(tmpdir(), 'eq-renderer-'));
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title><div id="app"></div>');

before(async () => {
  host = await startSourceHost(renderer, { EDGEQUANT_HOME: mkdtempSync(join(tmpdir(), 'eq-home-')) });
});
after(async () => {
  await host.kill();
});

async function assertAlive(what: string): Promise<void> {
  assert.equal(host.child.exitCode, null, `the host exited after ${what}: ${host.stderr.join('')}`);
  assert.equal(await healthy(host.port, host.token), true, `the host stopped answering after ${what}`);
}

test('malformed requests without the token get a 4xx and the host lives on', async () => {
  const h = `Host: 127.0.0.1:${host.port}\r\n`;
  const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  const cases: [string, string, (status: number | null) => boolean, boolean?][] = [
    ['a cookie that is not URI-encoded', `GET / HTTP/1.1\r\n${h}Cookie: edgequant_token_${host.port}=%\r\n\r\n`, (s) => s === 200],
    ['a cookie that is not URI-encoded, on the API', `GET /api HTTP/1.1\r\n${h}${upgrade}Cookie: edgequant_token_${host.port}=%E0%A4%A\r\n\r\n`, (s) => s === 401],
    ['an absolute target with a broken IPv6 host', `GET http://[ HTTP/1.1\r\n${h}\r\n`, (s) => s === 400],
    ['an absolute target with two ports', `GET http://a:b:c/ HTTP/1.1\r\n${h}\r\n`, (s) => s === 400],
    ['a broken target on the API upgrade', `GET http://[ HTTP/1.1\r\n${h}${upgrade}Sec-WebSocket-Protocol: edgequant, edgequant.token.${host.token}\r\n\r\n`, (s) => s === 400],
    ['a path with a bad escape', `GET /%E0%A4%A HTTP/1.1\r\n${h}\r\n`, (s) => s === 404],
    ['a path with a NUL escape', `GET /index.html%00.png HTTP/1.1\r\n${h}\r\n`, (s) => s === 404],
    ['an unknown method', `BREW / HTTP/1.1\r\n${h}\r\n`, (s) => s !== null && s >= 400 && s < 500],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n', (s) => s === 400 || s === 403],
    ['a foreign Host', 'GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n', (s) => s === 403],
    ['a line that is not HTTP', 'hello there\r\n\r\n', (s) => s === 400],
    ['a header without a colon', `GET / HTTP/1.1\r\n${h}nonsense\r\n\r\n`, (s) => s === 400],
    ['an upgrade that resets at once', `GET /api HTTP/1.1\r\n${h}${upgrade}Sec-WebSocket-Protocol: edgequant, edgequant.token.${host.token}\r\n`, () => true, true],
    ['a bad sub-protocol header', `GET /api HTTP/1.1\r\n${h}${upgrade}Sec-WebSocket-Protocol: ,,, edgequant.token.${host.token}\r\n\r\n`, (s) => s === 400],
  ];
  for (const [what, bytes, expected, hangUp] of cases) {
    const reply = await rawExchange(host.port, bytes, 5_000, hangUp);
    assert.ok(reply.settled, `${what}: no answer`);
    assert.ok(expected(reply.status), `${what}: status ${reply.status} (${reply.text.slice(0, 200)})`);
    assert.doesNotMatch(reply.text, /TypeError|URIError|RangeError|\n\s+at /, what);
    await assertAlive(what);
  }
});

test('bad WebSocket messages with the token: an error reply or a close of that socket, never the host', async () => {
  const cases: [string, string | Buffer, boolean][] = [
    ['null', 'null', false],
    ['a number', '42', false],
    ['a string', '"request"', false],
    ['an array', '[1,2]', false],
    ['not JSON', '{"type":', false],
    ['no channel', '{"type":"request","id":7}', false],
    ['a wrong type', '{"type":"event","id":8,"channel":"jobs.list"}', false],
    ['an object id', '{"type":"request","id":{},"channel":"jobs.list"}', false],
    ['a message over 1 MiB', JSON.stringify({ type: 'request', id: 9, channel: 'jobs.list', payload: { x: 'a'.repeat(1_100_000) } }), false],
    ['invalid UTF-8 in a text frame', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), false],
    ['a binary frame', Buffer.from([0, 1, 2, 3]), true],
    ['a deep payload', `{"type":"request","id":10,"channel":"models.inspect","payload":${'['.repeat(5000)}${']'.repeat(5000)}}`, false],
  ];
  for (const [what, data, binary] of cases) {
    const ws = await openApiSocket(host.port, { token: host.token });
    const outcome = await sendFrame(ws, data, binary);
    ws.terminate();
    if (outcome.kind === 'reply') {
      assert.equal(outcome.message.result?.ok, false, what);
      assert.equal(typeof outcome.message.result?.error?.code, 'string', what);
      assert.notEqual(outcome.message.result?.error?.code, 'INTERNAL', what);
    } else {
      assert.equal(outcome.kind, 'closed', `${what}: neither a reply nor a close`);
      if (outcome.kind === 'closed') assert.ok([1003, 1007, 1009].includes(outcome.code), `${what}: close code ${outcome.code}`);
    }
    await assertAlive(what);
  }
  assert.equal(host.stderr.join(''), '', 'a client fault is not an internal error');
});
