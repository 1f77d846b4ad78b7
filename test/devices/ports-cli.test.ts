// `edgequant device ports`: the machine's real serial ports (sysfs on Linux; udevadm not needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { runCli } from '../../src-main/cli/main';

test('device ports --json lists the serial ports that exist on this machine', async () => {
  const out: string[] = [];
  const code = await runCli(['device', 'ports', '--json'], { stdout: (s) => out.push(s), stderr: () => undefined, cwd: process.cwd(), env: {} });
  assert.equal(code, 0);
  const { ports } = JSON.parse(out.join('')) as { ports: { path: string; friendlyName: string; usb: boolean }[] };
  assert.ok(Array.isArray(ports));
  for (const port of ports) {
    assert.ok(existsSync(port.path), `${port.path} exists`);
    assert.ok(port.friendlyName.length > 0);
    if (/ttyS\d+$/.test(port.path)) assert.equal(port.usb, false, 'an on-board UART is not a USB adapter');
  }
  // A UART the kernel found (a type other than 0) is listed, with or without udevadm.
  const uart = '/sys/class/tty/ttyS0';
  if (existsSync(`${uart}/device`) && readFileSync(`${uart}/type`, 'utf8').trim() !== '0') {
    assert.ok(ports.some((p) => p.path === '/dev/ttyS0'), JSON.stringify(ports));
  }
});

test('device with an unknown subcommand names the valid ones', async () => {
  const err: string[] = [];
  const code = await runCli(['device', 'frobnicate'], { stdout: () => undefined, stderr: (s) => err.push(s), cwd: process.cwd(), env: {} });
  assert.equal(code, 2);
  assert.match(err.join(''), /add, list, probe, remove, ports or discover/);
});
