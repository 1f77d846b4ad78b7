// Issue 14, "one-click deploy to an attached Raspberry Pi", in real Chromium against the built
// browser host: the Devices page lists what discovery finds (the test sshd through an ssh config
// file, a pty board behind an FTDI adapter in a sysfs tree built here, a raspberrypi.local answer
// from an mDNS responder on the multicast group), adds the sshd board in one step (host key shown
// and trusted, password login that installs a key), explains why "Add board" is disabled, shows
// errors next to the form, refuses a missing serial port, asks before removing, and a run page
// deploys and benchmarks on the last used board.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { demoData, repoRoot } from '../helpers/build';
import { e2eSession } from '../helpers/e2e-session';
import { CHROMIUM_PATH, openRoute, screenshotDir } from '../helpers/browser';
import { openProjectInUi } from '../helpers/studio-page';
import { TestSshd, freePort, passwordSshdMissingReason, sshdMissingReason } from '../helpers/sshd';
import { socatAvailable, startSerialBoard, type SerialBoard } from '../helpers/serial-board';
import { decodeDnsMessage, encodeDnsMessage, MDNS_GROUP, RR } from '../../src-main/devices/discover/index';
import { tfliteCLibraryPath } from '../../src-main/runtime/index';

const PASSWORD = 'hunter2-pi!';
const missing = !existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} absent` : sshdMissingReason() ?? passwordSshdMissingReason() ?? (socatAvailable() ? undefined : 'socat absent');
const cli = (...args: string[]) => execFileSync(process.execPath, [join(repoRoot, 'bin', 'edgequant.js'), ...args], { encoding: 'utf8' });

/** sysfs + /dev of a machine with an FTDI adapter on ttyUSB0 (its node: the pty board's link). */
function fakeMachine(root: string): void {
  const put = (folder: string, entries: Record<string, string>) => {
    mkdirSync(folder, { recursive: true });
    for (const [name, text] of Object.entries(entries)) writeFileSync(join(folder, name), `${text}\n`);
  };
  const link = (at: string, target: string) => {
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(relative(dirname(at), target), at);
  };
  const ftdi = join(root, 'sys', 'devices', 'pci0000:00', 'usb1', '1-2');
  put(ftdi, { idVendor: '0403', idProduct: '6001', serial: 'A50285BI', product: 'FT232R USB UART' });
  put(join(ftdi, '1-2:1.0', 'ttyUSB0'), {});
  put(join(root, 'sys', 'class', 'tty', 'ttyUSB0'), { dev: '188:0' });
  link(join(root, 'sys', 'class', 'tty', 'ttyUSB0', 'device'), join(ftdi, '1-2:1.0', 'ttyUSB0'));
  link(join(root, 'dev', 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'), join(root, 'dev', 'ttyUSB0'));
  mkdirSync(join(root, 'proc', 'net'), { recursive: true });
}

describe('Devices: discover, add in one step, deploy & benchmark from a run', { skip: missing ?? false }, () => {
  const work = mkdtempSync(join(tmpdir(), 'eq-e2e-discover-'));
  const projectDir = join(work, 'digits');
  let sshd: TestSshd;
  let board: SerialBoard;
  let responder: dgram.Socket;
  let mdnsPort = 0;
  let runId = '';
  const shot = (name: string) => s.page.screenshot({ path: join(screenshotDir, `devices-discover-${name}.png`), fullPage: true });

  before(async () => {
    sshd = await TestSshd.start({ password: PASSWORD, libraryDir: dirname(tfliteCLibraryPath()) });
    writeFileSync(join(work, 'ssh_config'), `Host pi-test\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n`);
    fakeMachine(join(work, 'root'));
    board = await startSerialBoard(join(work, 'board'), 'shell', {}, join(work, 'root', 'dev', 'ttyUSB0'));
    mdnsPort = await freePort();
    responder = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => responder.bind(mdnsPort, r));
    responder.addMembership(MDNS_GROUP);
    responder.on('message', (bytes, from) => {
      const q = decodeDnsMessage(bytes);
      if (!q.questions.some((x) => x.name === 'raspberrypi.local' && x.type === RR.A)) return;
      responder.send(encodeDnsMessage({ id: q.id, response: true, answers: [{ name: 'raspberrypi.local', type: RR.A, ttl: 120, cacheFlush: true, address: '127.0.0.1' }] }), from.port, from.address);
    });
    cli('project', 'init', projectDir);
    const demo = demoData;
    cli('convert', join(demo, 'model', 'model.json'), '-o', join(work, 'digits.tflite'), '--quantize', 'int8', '--calibration', join(demo, 'calibration'), '--preprocess', '0..1', '--project', projectDir);
    runId = Object.keys((JSON.parse(readFileSync(join(projectDir, 'runs', 'index.json'), 'utf8')) as { runs: Record<string, unknown> }).runs)[0]!;
  });
  // Registered after the fixtures' hook: the host is told their ports and paths.
  const s = e2eSession({
    name: 'devices-discover',
    page: 'file',
    host: () => ({
      env: {
        EDGEQUANT_HOME: join(work, 'state'),
        EDGEQUANT_SSH_CONFIG: join(work, 'ssh_config'),
        EDGEQUANT_DISCOVERY_ROOT: join(work, 'root'),
        EDGEQUANT_MDNS_PORT: String(mdnsPort),
      },
    }),
  });

  after(async () => {
    responder?.close();
    await board?.stop();
    await sshd?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  test('discovery lists the ssh-config board, the FTDI pty and raspberrypi.local; each source says what it saw', async () => {
    await openRoute(s.page, s.host.url, '#/devices');
    const discovery = s.page.getByTestId('discovery');
    await discovery.getByTestId('candidate').first().waitFor({ timeout: 20_000 });
    const candidates = await discovery.getByTestId('candidate').allInnerTexts();
    assert.ok(candidates.some((c) => /FTDI FT232R USB-UART/.test(c) && /USB 0403:6001/.test(c)), candidates.join(' | '));
    assert.ok(candidates.some((c) => /^pi-test/.test(c) && new RegExp(`127\\.0\\.0\\.1:${sshd.port}`).test(c) && !/not answering/.test(c)), candidates.join(' | '));
    assert.ok(candidates.some((c) => /raspberrypi\.local \(127\.0\.0\.1\)/.test(c) && /not answering/.test(c)), candidates.join(' | '));
    assert.match(await s.page.getByTestId('discovery-notes').innerText(), /USB network: no USB network link/);
    await shot('found');
    await s.page.setViewportSize({ width: 1920, height: 1080 });
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await s.page.screenshot({ path: join(screenshotDir, 'devices-discover-found-dark-1920.png') });
    await s.page.emulateMedia({ colorScheme: 'light' });
    await s.page.setViewportSize({ width: 1280, height: 800 });
  });

  test('one-step add: why Add is disabled at each step, host key shown and trusted, a wrong password shown at the form, then added with a key', async () => {
    const why = s.page.getByTestId('add-why');
    const addButton = s.page.getByRole('button', { name: 'Add board' });
    assert.equal(await addButton.isDisabled(), true);
    assert.equal(await why.innerText(), 'Give the board a name.');
    await s.page.getByRole('button', { name: 'Use pi-test' }).click();
    assert.equal(await s.page.getByLabel('Name', { exact: true }).inputValue(), 'pi-test');
    assert.equal(await s.page.getByLabel('Address').inputValue(), 'pi-test');
    assert.match(await why.innerText(), /Check the board's host key first/);
    await s.page.getByRole('button', { name: 'Check host key' }).click();
    await s.page.getByTestId('host-key').getByText(sshd.hostFingerprint).waitFor({ timeout: 15_000 });
    assert.equal(await why.innerText(), 'Confirm that you trust this host key.');
    await s.page.getByLabel('I trust this host key').check();
    assert.match(await why.innerText(), /Enter the board's password/);
    await s.page.getByLabel('Password', { exact: true }).fill('not-the-password');
    assert.equal(await addButton.isDisabled(), false);
    await addButton.click();
    const formError = s.page.getByRole('form', { name: 'Add a board' }).getByTestId('add-error');
    await formError.waitFor({ timeout: 20_000 });
    assert.match(await formError.innerText(), /password login to .* failed: wrong user or password/);
    await shot('wrong-password');
    await s.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await addButton.click();
    await s.page.getByRole('status').getByText('Added pi-test.').waitFor({ timeout: 30_000 });
    const row = s.page.getByTestId('devices-table').getByRole('row', { name: /pi-test/ });
    assert.match(await row.innerText(), new RegExp(sshd.hostFingerprint.replace(/[+/]/g, '\\$&')));
    assert.equal(await s.page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not kept in the form');
    const state = readFileSync(join(work, 'state', 'devices.json'), 'utf8');
    assert.ok(!state.includes(PASSWORD) && /pi-test_ed25519/.test(state));
    assert.ok(readFileSync(join(sshd.home, '.ssh', 'authorized_keys'), 'utf8').includes('edgequant@'));
  });

  test('serial: the port is picked from discovery; a missing port is refused next to the form; Remove asks first', async () => {
    await s.page.getByLabel('Serial').check();
    const picker = s.page.getByTestId('serial-port');
    assert.match(await picker.locator('option:checked').innerText(), /FTDI FT232R USB-UART/);
    await picker.selectOption({ label: 'Other (type a path)…' });
    await s.page.getByLabel('Name', { exact: true }).fill('uart');
    await s.page.getByLabel('Port path').fill('/dev/ttyUSB97');
    await s.page.getByRole('button', { name: 'Add board' }).click();
    const formError = s.page.getByRole('form', { name: 'Add a board' }).getByTestId('add-error');
    await formError.waitFor({ timeout: 10_000 });
    assert.match(await formError.innerText(), /serial port \/dev\/ttyUSB97 does not exist/);
    await shot('missing-port');
    await picker.selectOption({ index: 0 });
    await s.page.getByRole('button', { name: 'Add board' }).click();
    await s.page.getByRole('status').getByText('Added uart.').waitFor({ timeout: 10_000 });
    const row = s.page.getByTestId('devices-table').getByRole('row', { name: /uart/ });
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByText('Remove uart? Its deployment records go too.').waitFor();
    await shot('confirm-remove');
    await row.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await s.page.getByTestId('devices-table').getByRole('row', { name: /uart/ }).count(), 1);
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await s.page.getByTestId('devices-table').getByRole('row', { name: /uart/ }).waitFor({ state: 'detached', timeout: 10_000 });
  });

  test('a run page: deploy & benchmark on the board picked, then one click on the last used board', async () => {
    await openProjectInUi(s.page, s.host.url, projectDir, 'digits');
    await openRoute(s.page, s.host.url, `#/runs/${runId}`);
    const bench = s.page.getByTestId('run-bench');
    const go = bench.getByRole('button', { name: /^Deploy & benchmark on / });
    await go.waitFor({ timeout: 20_000 });
    assert.equal(await go.innerText(), 'Deploy & benchmark on this computer');
    await bench.getByTestId('run-bench-board').selectOption('pi-test');
    await bench.getByLabel('Runs').fill('20');
    await go.click();
    const status = bench.getByTestId('run-bench-status');
    await status.getByText(/^(succeeded|failed)/).waitFor({ timeout: 120_000 });
    assert.equal(await status.innerText(), 'succeeded');
    assert.ok(await bench.getByTestId('run-bench-panel').isVisible());
    await shot('run-bench');
    // Another visit: the board last used for this project is offered first.
    await openRoute(s.page, s.host.url, '#/devices');
    await s.page.getByTestId('devices-table').waitFor();
    await openRoute(s.page, s.host.url, `#/runs/${runId}`);
    const again = s.page.getByTestId('run-bench').getByRole('button', { name: 'Deploy & benchmark on pi-test' });
    await again.waitFor({ timeout: 20_000 });
    await again.click();
    await s.page.getByTestId('run-bench-status').getByText(/^(succeeded|failed)/).waitFor({ timeout: 120_000 });
    assert.equal(await s.page.getByTestId('run-bench-status').innerText(), 'succeeded');
    await s.page.getByTestId('run-bench-results').getByRole('row').nth(2).waitFor({ timeout: 10_000 });
    const rows = await s.page.getByTestId('run-bench-results').getByRole('row').allInnerTexts();
    assert.equal(rows.filter((r) => r.startsWith('pi-test')).length, 2, rows.join(' | '));
    await shot('run-bench-last-board');
  });

  test("History's Deploy & benchmark panel opens in view (a short window: the panel lands below the table)", async () => {
    // With a long runs table the panel opened below the fold; a short window reproduces that with one run.
    const height = 320;
    await s.page.setViewportSize({ width: 1280, height });
    try {
      await openRoute(s.page, s.host.url, '#/history');
      await s.page.getByRole('button', { name: 'Deploy & benchmark' }).first().click();
      const panel = s.page.getByTestId('bench-panel');
      await panel.waitFor();
      await s.page.waitForTimeout(300);
      const box = await panel.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= height + 1, `panel at ${box?.y}..${box && box.y + box.height} in a ${height} px window`);
      await s.page.screenshot({ path: join(screenshotDir, 'devices-discover-history-bench-in-view.png') });
    } finally {
      await s.page.setViewportSize({ width: 1280, height: 800 });
    }
    assert.deepEqual(s.consoleErrors, []);
  });
});
