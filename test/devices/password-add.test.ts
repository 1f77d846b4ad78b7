// One-step add of a fresh board against a real OpenSSH server that accepts passwords: the host
// key confirmed by fingerprint, one password login that installs a key made for the board, then
// key login from there on. The password is never written anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceError, DeviceService } from '../../src-main/devices/index';
import { TestSshd, passwordSshdMissingReason, sshdMissingReason } from '../helpers/sshd';

const PASSWORD = 'raspberry-7Qx!';
const missing = sshdMissingReason() ?? passwordSshdMissingReason();
let sshd: TestSshd;
let dir: string;
let service: DeviceService;

function allStateText(): string {
  return readdirSync(join(dir, 'state'), { recursive: true }).map(String)
    .filter((f) => statSync(join(dir, 'state', f)).isFile())
    .map((f) => readFileSync(join(dir, 'state', f), 'utf8')).join('\n');
}

before(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'eq-pwadd-'));
  sshd = await TestSshd.start({ password: PASSWORD });
  // A private HOME: no default keys, agent or ssh config of this machine.
  service = new DeviceService({ env: { EDGEQUANT_HOME: join(dir, 'state'), HOME: join(dir, 'home') } });
});

after(async () => {
  await sshd?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('fresh board: wrong password or wrong fingerprint refused with nothing left behind', async (t) => {
  if (missing) return t.skip(missing);
  const ssh = `${sshd.user}@127.0.0.1:${sshd.port}`;
  const { fingerprint } = await service.scanHostKey(ssh);
  assert.equal(fingerprint, sshd.hostFingerprint);
  await assert.rejects(service.addWithPassword({ name: 'pi', ssh, password: 'wrong', trustFingerprint: fingerprint }), (e: unknown) =>
    e instanceof DeviceError && /^password login to .* failed: wrong user or password/.test(e.message));
  await assert.rejects(service.addWithPassword({ name: 'pi', ssh, password: PASSWORD, trustFingerprint: 'SHA256:not-the-board-key' }), /not the SHA256:not-the-board-key that was confirmed; not trusted/);
  assert.deepEqual(service.list(), []);
  assert.ok(!existsSync(service.keysDir) || readdirSync(service.keysDir).length === 0, 'no key files left');
  assert.ok(!existsSync(join(sshd.home, '.ssh', 'authorized_keys')));
});

test('fresh board: one password login installs a new key; the board is stored with key auth, no password', async (t) => {
  if (missing) return t.skip(missing);
  const ssh = `${sshd.user}@127.0.0.1:${sshd.port}`;
  const { fingerprint } = await service.scanHostKey(ssh);
  const added = await service.addWithPassword({ name: 'pi', ssh, password: PASSWORD, trustFingerprint: fingerprint });
  assert.equal(added.arch, process.arch === 'x64' ? 'x86_64' : added.arch);
  assert.equal(added.keyFile, join(service.keysDir, 'pi_ed25519'));
  assert.equal(statSync(added.keyFile).mode & 0o777, 0o600);
  const publicKey = readFileSync(`${added.keyFile}.pub`, 'utf8').trim();
  assert.match(publicKey, /^ssh-ed25519 \S+ edgequant@/);
  const authorized = readFileSync(join(sshd.home, '.ssh', 'authorized_keys'), 'utf8');
  assert.deepEqual(authorized.trim().split('\n'), [publicKey]);
  assert.equal(statSync(join(sshd.home, '.ssh', 'authorized_keys')).mode & 0o777, 0o600);
  const stored = service.list()[0]!;
  assert.deepEqual([stored.name, stored.hostKeyFingerprint, stored.config.kind === 'ssh' && stored.config.keyFile], ['pi', fingerprint, added.keyFile]);
  assert.ok(!allStateText().includes(PASSWORD), 'the password is in no state file');
  // From now on the key alone logs in (no password handed to the service).
  const echoed = await service.withTransport('pi', (tr) => tr.exec('echo key-login-ok'));
  assert.equal(echoed.stdout.trim(), 'key-login-ok');
  // Removing the board removes the key made for it.
  service.remove('pi');
  assert.ok(!existsSync(added.keyFile) && !existsSync(`${added.keyFile}.pub`));
});
