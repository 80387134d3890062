// The tray menu, title and tooltip as pure functions of AppState.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrayMenu, isStreaming, trayTitle, trayTooltip, type TrayActions, type TrayMenuItem } from '../../src/main/electron/tray-menu.js';
import { certificateWarning } from '../../src/main/enroll/lifetime.js';
import type { AppState, BaseStationView, CameraView } from '../../src/shared/api.js';

function camera(deviceId: string, over: Partial<CameraView> = {}): CameraView {
  return {
    deviceId, name: `Cam ${deviceId}`, model: 'VMC4041P', baseStationId: 'bs', codecs: ['avc'], codec: 'avc', port: 8554,
    url: `rtsp://127.0.0.1:8554/${deviceId}`, running: false, state: 'idle', viewers: 0, bytesIn: 0, bytesOut: 0, bitrate: 0,
    upstreamSessions: 0, reconnects: 0, packetsDropped: 0, keepAliveFailures: 0, mediaSilences: 0, authFailures: 0, streamingToday: 0, streamingWeek: 0, battery: true, batterySource: 'model', streams: [], ...over,
  };
}

function state(cameras: CameraView[], launchAtLogin = false): AppState {
  return {
    account: { signedIn: true, tokenExpired: false }, signIn: { step: 'signed-in' }, baseStations: [], cameras,
    settings: { listenAddress: '127.0.0.1', portBase: 8554, lanPasswordSet: false, lanAllowBasic: false, launchAtLogin, notifications: true, updateChecks: true, requireAccessToken: false, lingerSeconds: 10, batteryWarnMinutes: 10, batteryCapMinutes: null, subStreamWidth: 640, subStreamFps: 5, onvif: false, onvifAddresses: {} },
    transcoder: { available: true, encoder: 'libx264', hardware: false, probing: false },
    warnings: [], shell: 'desktop',
  };
}

function recorder() {
  const calls: string[] = [];
  const actions = new Proxy({}, { get: (_t, name) => (...args: unknown[]) => calls.push(`${String(name)}(${args.join(',')})`) }) as TrayActions;
  return { calls, actions };
}

function find(items: TrayMenuItem[], label: string | RegExp): TrayMenuItem {
  const item = items.find((i) => (typeof label === 'string' ? i.label === label : label.test(i.label ?? '')));
  assert.ok(item, `menu has ${String(label)}: ${items.map((i) => i.label).join(' | ')}`);
  return item;
}

describe('tray menu', () => {
  it('lists each camera with its state and viewers, with start/stop, copy URL and open in VLC', () => {
    const { calls, actions } = recorder();
    const menu = buildTrayMenu(state([
      camera('a', { running: true, state: 'media', viewers: 2 }),
      camera('b'),
      camera('c', { running: true, state: 'error', error: 'Base station refused the certificate: enroll again.' }),
    ]), actions);
    const a = find(menu, /^Cam a/);
    assert.equal(a.label, 'Cam a — streaming, 2 viewers');
    find(a.submenu ?? [], 'Stop').click?.();
    find(a.submenu ?? [], 'Copy URL').click?.();
    find(a.submenu ?? [], 'Open in VLC').click?.();
    const b = find(menu, /^Cam b/);
    assert.equal(b.label, 'Cam b — stopped');
    find(b.submenu ?? [], 'Start').click?.();
    assert.equal(find(b.submenu ?? [], 'Open in VLC').enabled, false, 'nothing to open while stopped');
    const c = find(menu, /^Cam c/);
    assert.equal(c.label, 'Cam c — error');
    assert.equal(find(c.submenu ?? [], /enroll again/).enabled, false);
    assert.deepEqual(calls, ['stopCamera(a)', 'copyUrl(a)', 'openInPlayer(a)', 'startCamera(b)']);
  });

  it('offers start all / stop all only when they would do something', () => {
    const { actions } = recorder();
    const allStopped = buildTrayMenu(state([camera('a'), camera('b')]), actions);
    assert.equal(find(allStopped, 'Start all').enabled, true);
    assert.equal(find(allStopped, 'Stop all').enabled, false);
    const allRunning = buildTrayMenu(state([camera('a', { running: true })]), actions);
    assert.equal(find(allRunning, 'Start all').enabled, false);
    assert.equal(find(allRunning, 'Stop all').enabled, true);
  });

  it('has open window, a launch-at-login checkbox that toggles, and quit', () => {
    const { calls, actions } = recorder();
    const menu = buildTrayMenu(state([], true), actions);
    const login = find(menu, 'Launch at login');
    assert.equal(login.type, 'checkbox');
    assert.equal(login.checked, true);
    login.click?.();
    find(menu, 'Open Arlo Local RTSP').click?.();
    find(menu, 'Start all').click?.();
    find(menu, 'Quit').click?.();
    assert.deepEqual(calls, ['setLaunchAtLogin(false)', 'openWindow()', 'startAll()', 'quit()']);
    assert.equal(find(menu, 'No cameras yet').enabled, false);
  });

  it('tells a signed-out user to open the window', () => {
    const s = state([]);
    s.account.signedIn = false;
    assert.ok(buildTrayMenu(s, recorder().actions).some((i) => /sign in/.test(i.label ?? '')));
  });

  it('shows how many cameras stream in the title and tooltip', () => {
    const none = state([camera('a'), camera('b')]);
    assert.equal(trayTitle(none), '');
    assert.equal(isStreaming(none), false);
    assert.equal(trayTooltip(none), 'Arlo Local RTSP: 0 of 2 cameras streaming');
    const one = state([camera('a', { running: true, state: 'media' }), camera('b', { running: true, state: 'error' })]);
    assert.equal(trayTitle(one), '1');
    assert.equal(isStreaming(one), true);
    assert.equal(trayTooltip(one), 'Arlo Local RTSP: 1 of 2 cameras streaming, 1 with errors');
    assert.equal(trayTooltip(state([])), 'Arlo Local RTSP: no cameras');
  });
});

describe('tray: certificate lifetime', () => {
  const DAY = 86_400_000;
  /** The state of one base station whose certificate expires `days` from now, warning as the service computes it. */
  function expiring(days: number): AppState {
    const now = Date.now();
    const held = { name: 'Home', certificatePem: 'held', certificateExpires: new Date(now + days * DAY).toISOString() };
    const warning = certificateWarning(held, now);
    const view: BaseStationView = { deviceId: 'bs', name: 'Home', model: 'VMB5000', enrolled: true, certificateExpires: held.certificateExpires, ...(warning ? { certificateWarning: warning } : {}) };
    return { ...state([camera('a')]), baseStations: [view] };
  }

  it('says nothing of a certificate with more than 14 days left', () => {
    assert.ok(!buildTrayMenu(expiring(15), recorder().actions).some((i) => /certificate/.test(i.label ?? '')));
  });

  for (const [days, words] of [[10, /^⚠ Home: certificate expires in 10 days, sign in to renew$/], [1.5, /^⚠ Home: certificate expires in 36 hours, sign in to renew$/]] as const) {
    it(`warns ${days} days ahead, with the action, and opens the window on a click`, () => {
      const { calls, actions } = recorder();
      const menu = buildTrayMenu(expiring(days), actions);
      const item = find(menu, words);
      assert.equal(menu.indexOf(item), 1, 'right under the summary');
      assert.match(item.toolTip ?? '', /sign in to Arlo and the app renews it by itself/);
      item.click?.();
      assert.deepEqual(calls, ['openWindow()']);
    });
  }

  it('names a revoked certificate and what probably happened', () => {
    const warning = certificateWarning({ name: 'Home', certificatePem: 'held', certificateExpires: new Date(Date.now() + 300 * DAY).toISOString(), certificateRejected: true, certificateAccepted: true }, Date.now());
    assert.equal(warning?.level, 'revoked');
    assert.match(warning.message, /another enrollment used this installation's id/);
    const menu = buildTrayMenu({ ...state([]), baseStations: [{ deviceId: 'bs', name: 'Home', model: 'VMB5000', enrolled: false, certificateWarning: warning }] }, recorder().actions);
    find(menu, /^⚠ Home: certificate revoked, sign in to renew$/);
  });

  it('a certificate refused at the first try is not called revoked', () => {
    assert.equal(certificateWarning({ name: 'Home', certificatePem: 'held', certificateExpires: new Date(Date.now() + 300 * DAY).toISOString(), certificateRejected: true }, Date.now()), undefined);
  });
});
