// The rules every webContents and session gets (contents-rules.ts), called with fake event
// objects the way Electron calls them: the Electron binary cannot run here, the handlers can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import {
  DEVICE_PICKER_EVENTS,
  NAVIGATION_EVENTS,
  secureEveryContents,
  secureSession,
  secureWebContents,
  type ContentsLike,
  type SessionLike,
} from '../../src-main/electron/contents-rules';

const app = { url: 'app://edgequant/index.html' };

/** An Electron-style event: preventDefault() marks it. */
function event(url = '') {
  const e = { url, prevented: false, preventDefault: () => void (e.prevented = true) };
  return e;
}

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

class FakeSession extends EventEmitter {
  request?: Parameters<SessionLike['setPermissionRequestHandler']>[0];
  check?: Parameters<SessionLike['setPermissionCheckHandler']>[0];
  device?: Parameters<SessionLike['setDevicePermissionHandler']>[0];
  pairing?: Parameters<NonNullable<SessionLike['setBluetoothPairingHandler']>>[0];
  setPermissionRequestHandler(h: NonNullable<FakeSession['request']>) { this.request = h; }
  setPermissionCheckHandler(h: NonNullable<FakeSession['check']>) { this.check = h; }
  setDevicePermissionHandler(h: NonNullable<FakeSession['device']>) { this.device = h; }
  setBluetoothPairingHandler(h: NonNullable<FakeSession['pairing']>) { this.pairing = h; }
}

function securedContents(opened: string[] = []): FakeContents {
  const contents = new FakeContents();
  secureWebContents(contents as unknown as ContentsLike, { app, openExternal: (url) => opened.push(url) });
  return contents;
}

test('will-navigate, will-redirect and will-frame-navigate: stay in the app, everything else stopped', () => {
  const contents = securedContents();
  for (const name of NAVIGATION_EVENTS) {
    const inside = event('app://edgequant/index.html#/devices');
    contents.emit(name, inside);
    assert.equal(inside.prevented, false, `${name} within the app`);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'javascript:alert(1)', 'not a url']) {
      const outside = event(url);
      contents.emit(name, outside);
      assert.equal(outside.prevented, true, `${name} → ${url}`);
    }
  }
});

test('webviews never attach; window.open is denied and only web links go to the system browser', () => {
  const opened: string[] = [];
  const contents = securedContents(opened);
  const webview = event();
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.prevented, true);
  for (const url of ['https://www.tensorflow.org/lite', 'file:///etc/passwd', 'app://edgequant/index.html', 'smb://host/share']) {
    assert.deepEqual(contents.openHandler!({ url }), { action: 'deny' });
  }
  assert.deepEqual(opened, ['https://www.tensorflow.org/lite']);
});

test('Bluetooth device picker: cancelled, no device chosen', () => {
  const contents = securedContents();
  const e = event();
  const chosen: string[] = [];
  contents.emit('select-bluetooth-device', e, [{ deviceId: 'AA:BB', deviceName: 'board' }], (id: string) => chosen.push(id));
  assert.equal(e.prevented, true);
  assert.deepEqual(chosen, ['']);
});

test('permissions: request and check handlers deny all but clipboard writes from the app itself', () => {
  const session = new FakeSession();
  secureSession(session as unknown as SessionLike, app);
  const request = (permission: string, requestingUrl: string) =>
    new Promise<boolean>((done) => session.request!({}, permission, done, { requestingUrl }));
  return (async () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'usb', 'openExternal', 'clipboard-read', 'fullscreen']) {
      assert.equal(await request(permission, 'app://edgequant/index.html'), false, permission);
      assert.equal(session.check!({}, permission, 'app://edgequant', {}), false, `check ${permission}`);
    }
    assert.equal(await request('clipboard-sanitized-write', 'app://edgequant/index.html#/quantize'), true);
    assert.equal(session.check!({}, 'clipboard-sanitized-write', 'app://edgequant', {}), true);
    assert.equal(await request('clipboard-sanitized-write', 'https://evil.example/'), false);
    assert.equal(session.check!({}, 'clipboard-sanitized-write', 'https://evil.example', {}), false);
  })();
});

test('devices: HID, serial and USB pickers cancelled, device permission and Bluetooth pairing refused', () => {
  const session = new FakeSession();
  secureSession(session as unknown as SessionLike, app);
  secureSession(session as unknown as SessionLike, app); // default session seen twice: listeners once
  for (const name of DEVICE_PICKER_EVENTS) {
    assert.equal(session.listenerCount(name), 1, name);
    const e = event();
    const chosen: (string | null | undefined)[] = [];
    session.emit(name, e, { deviceList: [{ deviceId: '1' }], portList: [{ portId: '1' }] }, (id?: string | null) => chosen.push(id));
    assert.equal(e.prevented, true, name);
    assert.deepEqual(chosen, [''], `${name} chooses nothing`);
  }
  assert.equal(session.device!({ deviceType: 'serial', origin: 'app://edgequant', device: {} }), false);
  assert.equal(session.device!({ deviceType: 'usb', origin: 'app://edgequant', device: {} }), false);
  const answers: { confirmed: boolean }[] = [];
  session.pairing!({ deviceId: 'AA:BB', pairingKind: 'confirm' }, (r) => answers.push(r));
  assert.deepEqual(answers, [{ confirmed: false }]);
});

test('every webContents and session the app ever creates gets the rules, not one window', () => {
  const fakeApp = new EventEmitter();
  const opened: string[] = [];
  secureEveryContents(fakeApp as never, { app, openExternal: (url) => opened.push(url) });
  // A window, a later window and an iframe's or DevTools' contents all arrive through this event.
  for (let i = 0; i < 3; i++) {
    const contents = new FakeContents();
    fakeApp.emit('web-contents-created', {}, contents);
    const away = event('https://evil.example/');
    contents.emit('will-redirect', away);
    assert.equal(away.prevented, true, `webContents ${i}`);
    assert.deepEqual(contents.openHandler!({ url: 'https://example.com/' }), { action: 'deny' });
  }
  assert.equal(opened.length, 3);
  const partition = new FakeSession();
  fakeApp.emit('session-created', partition);
  assert.equal(partition.check!({}, 'media', 'app://edgequant', {}), false);
  assert.equal(partition.listenerCount('select-serial-port'), 1);
});
