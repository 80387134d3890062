// The desktop app end to end as built (dist/main/electron/main.js under the Electron stand-in of
// harness/): signed in from the page over IPC against the simulated cloud, enrolled, a camera
// started from the tray and played by stock ffmpeg through the strict simulated base station; then
// each way the app ends (Quit from the tray, the OS shutting down, Windows ending the session)
// ends the process within seconds with a TEARDOWN carrying a valid Nonce at the base station.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { AppState, CameraView, EnrollOutcome, SignInStep } from '../../src/shared/api.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { h264Only, startCloudAndStation } from '../support/cloud-station.js';
import { run } from '../support/stream-rig.js';
import { exitsWithin, launchDesktop, tempHome, until, type DesktopApp } from './harness/driver.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let home: { path: string; remove(): Promise<void> };
const apps: DesktopApp[] = [];
const players: ChildProcess[] = [];

const account = () => cloud.accounts.owner;
const devices = () => cloud.devicesOf(account());
const baseStationId = () => devices().find((d) => d.deviceType === 'basestation')!.deviceId;
const camera = () => devices().find((d) => d.modelId === 'VMC2030')!;

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: h264Only }));
  home = await tempHome();
});

after(async () => {
  for (const player of players) player.kill('SIGKILL');
  for (const app of apps) app.kill();
  await closeSim();
  await home.remove();
});

/** Starts the app in the shared home and waits for its tray and loaded window. */
async function launch(): Promise<{ app: DesktopApp; windowId: number }> {
  const app = launchDesktop({ home: home.path, env: { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl } });
  apps.push(app);
  const ready = await until(app, async () => {
    const s = await app.snapshot();
    return s.tray?.menu && s.windows[0]?.url ? s : undefined;
  }, 'the tray and the window', 60_000);
  return { app, windowId: ready.windows[0]!.id };
}

async function view(app: DesktopApp, windowId: number): Promise<CameraView | undefined> {
  return (await app.call<AppState>(windowId, 'getState')).cameras.find((c) => c.deviceId === camera().deviceId);
}

/** A viewer that keeps the stream open: ffmpeg reading it for up to a minute. */
function play(url: string): ChildProcess {
  const player = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '60', '-f', 'null', '-'], { stdio: 'ignore' });
  players.push(player);
  return player;
}

/** Plays the camera until the app shows media to one viewer; returns the player. */
async function playing(app: DesktopApp, windowId: number): Promise<ChildProcess> {
  const { url } = (await until(app, async () => {
    const v = await view(app, windowId);
    return v?.running ? v : undefined;
  }, 'the camera to run'))!;
  const player = play(url);
  await until(app, async () => {
    const v = await view(app, windowId);
    return v?.state === 'media' && v.viewers === 1;
  }, 'media flowing to the viewer', 30_000);
  return player;
}

/** Ends the app by `how`; checks it exits promptly and a TEARDOWN with a valid Nonce arrived. */
async function endsWithTeardown(app: DesktopApp, player: ChildProcess, how: () => Promise<unknown>): Promise<void> {
  const teardowns = station.stats.teardownsWithValidNonce;
  const started = Date.now();
  await how();
  assert.equal(await exitsWithin(app, 10_000), 0);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 10_000, `exited after ${elapsed} ms`);
  assert.ok(station.stats.teardownsWithValidNonce > teardowns, 'a TEARDOWN with a valid Nonce reached the base station');
  assert.equal(station.stats.nonceViolations, 0);
  player.kill('SIGKILL');
}

describe('the desktop app with the simulated cloud and base station', () => {
  it('signs in and enrolls from the page, starts a camera from the tray, ffmpeg plays, Quit tears down and exits', async () => {
    const { app, windowId } = await launch();
    assert.deepEqual(await app.call<SignInStep>(windowId, 'signIn', account().email, account().password), { step: 'signed-in' });
    await app.call(windowId, 'refreshDevices');
    await app.call(windowId, 'updateSettings', { portBase: 20_000 + Math.floor(Math.random() * 40_000) });
    await app.call(windowId, 'setBaseStationAddress', baseStationId(), '127.0.0.1', station.port);
    const outcomes = await app.call<EnrollOutcome[]>(windowId, 'enroll');
    assert.deepEqual(outcomes.map((o) => o.result), ['enrolled'], outcomes[0]?.message);

    const label = `/^${camera().deviceName} /`;
    await until(app, async () => (await app.snapshot()).tray?.menu?.some((i) => i.label?.startsWith(`${camera().deviceName} `)), 'the camera in the tray menu');
    await app.op('clickTray', [label, 'Start']);
    const { url } = (await until(app, async () => {
      const v = await view(app, windowId);
      return v?.running ? v : undefined;
    }, 'the camera to run'))!;
    const probe = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '2', '-f', 'null', '-'], 30_000);
    assert.equal(probe.code, 0, probe.stderr);

    const player = await playing(app, windowId);
    await until(app, async () => /^1 of \d+ cameras streaming$/.test((await app.snapshot()).tray?.menu?.[0]?.label ?? ''), 'the tray to count the streaming camera');
    await endsWithTeardown(app, player, () => app.op('clickTray', ['Quit']));
  });

  it('the OS shutting down (powerMonitor shutdown) tears down and exits', async () => {
    const { app, windowId } = await launch();
    const player = await playing(app, windowId);
    await endsWithTeardown(app, player, () => app.op('powerShutdown'));
  });

  it('Windows ending the session (session-end) tears down and exits', async () => {
    const { app, windowId } = await launch();
    const player = await playing(app, windowId);
    await endsWithTeardown(app, player, () => app.op('sessionEnd'));
  });
});
