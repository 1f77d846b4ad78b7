// `edgequant device discover` end to end through the CLI (text and JSON, a bad --timeout is
// exit 2), and the API's serial path check after symlinks: a /dev/serial/by-id-style link to a
// device file is a serial port, a link into /etc is not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli as cliInProcess } from '../../helpers/cli';
import { createPathScope } from '../../../src-main/api/path-scope';
import { TestSshd, freePort, sshdMissingReason } from '../../helpers/sshd';

const dir = mkdtempSync(join(tmpdir(), 'eq-discover-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[], env: NodeJS.ProcessEnv) => cliInProcess(argv, { cwd: dir, env });

test('device discover: each candidate with the flag that adds it, each silent source with its reason', async () => {
  const closed = await freePort();
  mkdirSync(join(dir, 'home', '.ssh'), { recursive: true });
  writeFileSync(join(dir, 'home', '.ssh', 'config'), `Host bench-pi\n  HostName 127.0.0.1\n  Port ${closed}\n  User pi\n`);
  mkdirSync(join(dir, 'root', 'sys', 'class', 'tty'), { recursive: true });
  const env = { HOME: join(dir, 'home'), EDGEQUANT_HOME: join(dir, 'state'), EDGEQUANT_DISCOVERY_ROOT: join(dir, 'root'), EDGEQUANT_MDNS_PORT: String(await freePort()) };
  const text = await cli(['device', 'discover', '--timeout', '1'], env);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, new RegExp(`^ssh-config +bench-pi +--ssh bench-pi +~/.ssh/config: pi@127\\.0\\.0\\.1:${closed} \\(no answer now\\)$`, 'm'));
  assert.match(text.out, /^ {2}serial: no serial ports: plug in a USB-serial adapter/m);
  assert.match(text.out, /^ {2}mdns: no mDNS answer for raspberrypi\.local, _ssh\._tcp\.local within/m);
  const json = await cli(['device', 'discover', '--timeout', '1', '--json'], env);
  const result = JSON.parse(json.out) as { candidates: { source: string; reachable?: boolean }[]; sources: { source: string }[] };
  assert.deepEqual(result.candidates.map((c) => [c.source, c.reachable]), [['ssh-config', false]]);
  assert.equal(result.sources.length, 4);
  const bad = await cli(['device', 'discover', '--timeout', '99'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--timeout must be 0\.3\.\.15 seconds/);
});

test('API path scope: a serial path is judged after its symlinks', () => {
  symlinkSync('/dev/null', join(dir, 'ttyBYID'));
  symlinkSync('/etc/passwd', join(dir, 'ttyEVIL'));
  const scope = createPathScope({ readRoots: [dir], projects: () => [] });
  assert.equal(scope.check('devices.addSerial', { name: 'b', path: join(dir, 'ttyBYID') }), null);
  assert.match(scope.check('devices.addSerial', { name: 'b', path: join(dir, 'ttyEVIL') }) ?? '', /is not a serial device/);
  assert.match(scope.check('devices.lastBoard', { project: '/etc' }) ?? '', /outside the folders this app may read/);
});

test('device add --install-key without a terminal: the host key is shown, then exit 2 naming what is missing; nothing stored', async (t) => {
  if (sshdMissingReason()) return t.skip(sshdMissingReason()!);
  const sshd = await TestSshd.start();
  try {
    const env = { HOME: join(dir, 'home-install'), EDGEQUANT_HOME: join(dir, 'state-install') };
    const run = await cli(['device', 'add', 'fresh', '--ssh', `${sshd.user}@127.0.0.1:${sshd.port}`, '--install-key', '--trust'], env);
    assert.equal(run.code, 2);
    assert.ok(run.err.includes(sshd.hostFingerprint), run.err);
    assert.match(run.err, /--install-key needs a terminal to ask the board's password\./);
    assert.equal((await cli(['device', 'list', '--json'], env)).out.trim(), JSON.stringify({ devices: [] }, null, 2));
  } finally {
    await sshd.dispose();
  }
});
