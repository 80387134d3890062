// OS notifications of the desktop app, as built: a certificate expiring soon (the simulated cloud
// issues 5-day certificates), a battery camera's daily cap reached, a camera going to Error (the
// base station answers 404 to DESCRIBE), each shown once whatever else is published that day and
// after a restart the same day; muted, none; a click opens the window. The update-ready notice is
// in desktop-update.test.ts.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { h264Only, startCloudAndStation } from '../support/cloud-station.js';
import { launchDesktop, quitFromTray, tempHome, until, type DesktopApp } from './harness/driver.js';
import { enrolledDesktop } from './harness/enrolled.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let home: { path: string; remove(): Promise<void> };
const apps: DesktopApp[] = [];
const players: ChildProcess[] = [];

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: h264Only, cloud: { certificateValidDays: 5 } }));
  home = await tempHome();
});

after(async () => {
  for (const player of players) player.kill('SIGKILL');
  for (const app of apps) app.kill();
  await closeSim?.();
  await home?.remove();
});

const titles = async (app: DesktopApp): Promise<string[]> => (await app.snapshot()).notifications.map((n) => n.title);
const count = (list: string[], pattern: RegExp): number => list.filter((t) => pattern.test(t)).length;

describe('OS notifications', () => {
  it('each cause once a day, remembered across a restart; muted none; a click opens the window', async () => {
    const { app, windowId } = await enrolledDesktop({ home: home.path, cloud, station });
    apps.push(app);
    const EXPIRING = /^The certificate for .+ expires in 5 days$/;
    await until(app, async () => count(await titles(app), EXPIRING) === 1, 'the certificate-expiring notification');

    // Muted: a battery camera reaching its cap says nothing; unmuted, it is shown.
    // One battery camera, and one said to be on mains (the user's word), which no cap applies to.
    const [battery, other] = (await app.call<AppState>(windowId, 'getState')).cameras;
    assert.ok(battery && other);
    await app.call(windowId, 'setCameraBattery', battery.deviceId, true);
    await app.call(windowId, 'setCameraBattery', other.deviceId, false);
    await app.call(windowId, 'updateSettings', { notifications: false });
    await app.call(windowId, 'updateSettings', { batteryCapMinutes: 0 });
    const capped = (await app.call<AppState>(windowId, 'getState')).cameras.find((c) => c.deviceId === battery.deviceId)!;
    assert.equal(capped.usageNotice?.level, 'capped');
    const CAPPED = new RegExp(`^${battery.name} reached its daily limit$`);
    assert.equal(count(await titles(app), CAPPED), 0, 'muted');
    await app.call(windowId, 'updateSettings', { notifications: true });
    await until(app, async () => count(await titles(app), CAPPED) === 1, 'the daily-cap notification once unmuted');

    // A camera going to Error: the base station answers 404 to its DESCRIBE, whichever way the URL
    // names it (its address, then its model's .local name: the engine tries each, rtsp/url-host.ts).
    const ERROR = new RegExp(`^${other.name} stopped with an error$`);
    for (let i = 0; i < 2; i++) station.respondNextWith(404, { method: 'DESCRIBE' });
    await app.call(windowId, 'startCamera', other.deviceId);
    const { url } = (await app.call<AppState>(windowId, 'getState')).cameras.find((c) => c.deviceId === other.deviceId)!;
    players.push(spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '1', '-f', 'null', '-'], { stdio: 'ignore' }));
    await until(app, async () => count(await titles(app), ERROR) === 1, 'the camera-error notification');

    // More states the same day (settings saved, the camera started again into the same error): nothing repeats.
    await app.call(windowId, 'updateSettings', { lingerSeconds: 3 });
    await app.call(windowId, 'startCamera', other.deviceId);
    const shown = await titles(app);
    assert.deepEqual([count(shown, EXPIRING), count(shown, CAPPED), count(shown, ERROR)], [1, 1, 1], shown.join('\n'));

    await app.op('closeWindow', windowId);
    await until(app, async () => (await app.snapshot()).windows.every((w) => !w.visible), 'the window hidden to the tray');
    await app.op('clickNotification', 0);
    await until(app, async () => (await app.snapshot()).windows.some((w) => w.visible), 'the window shown by the click');
    assert.equal(await quitFromTray(app), 0);

    // A restart the same day: what was shown today is not shown again.
    const again = launchDesktop({ home: home.path, env: { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl }, args: ['--hidden'] });
    apps.push(again);
    await until(again, async () => (await again.snapshot()).tray?.menu, 'the tray after the restart');
    // The tray follows the first state, and the notifier saw that state in the same step.
    assert.deepEqual(await titles(again), []);
    assert.equal(await quitFromTray(again), 0);
  });
});
