// The desktop app across the computer's sleep, as built: powerMonitor 'suspend', the base station's
// session going silent (as a base station's session does while the computer sleeps: it drops it),
// the app's process stopped (timers do not run, the wall clock moves on), then 'resume'. The
// session is replaced at once, not after the 10 s silence limit: ffmpeg, connected throughout,
// decodes again within 5 s of the resume; and the sleep is not counted as streaming time.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { AppState, CameraView } from '../../src/shared/api.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { h264Only, startCloudAndStation } from '../support/cloud-station.js';
import { waitFor } from '../support/wait.js';
import { tempHome, until, type DesktopApp } from './harness/driver.js';
import { enrolledDesktop } from './harness/enrolled.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let home: { path: string; remove(): Promise<void> };
let app: DesktopApp;
let windowId: number;
const players: ChildProcess[] = [];
/** How long the computer sleeps here: well under the 10 s silence limit, which would replace the session anyway. */
const SLEEP_MS = 3_000;

const camera = () => cloud.devicesOf(cloud.accounts.owner).find((d) => d.modelId === 'VMC2030')!;

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: h264Only }));
  home = await tempHome();
  ({ app, windowId } = await enrolledDesktop({ home: home.path, cloud, station }));
  await app.call(windowId, 'startCamera', camera().deviceId);
});

after(async () => {
  for (const player of players) player.kill('SIGKILL');
  app?.kill();
  await closeSim?.();
  await home?.remove();
});

async function view(): Promise<CameraView> {
  return (await app.call<AppState>(windowId, 'getState')).cameras.find((c) => c.deviceId === camera().deviceId)!;
}

/** ffmpeg decoding the camera, reporting its decoded frame count twice a second. */
function decoder(url: string): { frames(): number; process: ChildProcess } {
  const player = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-f', 'null', '-progress', 'pipe:1', '-stats_period', '0.5', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  players.push(player);
  let frames = 0;
  let text = '';
  player.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (let line = text.indexOf('\n'); line >= 0; line = text.indexOf('\n')) {
      const match = /^frame=(\d+)$/.exec(text.slice(0, line).trim());
      if (match) frames = Number(match[1]);
      text = text.slice(line + 1);
    }
  });
  return { frames: () => frames, process: player };
}

describe('the desktop app across sleep and wake', () => {
  it('after suspend, a silent session and resume, ffmpeg kept connected decodes again within 5 s; the sleep is not streaming time', async (t) => {
    const { url } = await until(app, async () => ((await view()).running ? view() : undefined), 'the camera to run');
    const player = decoder(url);
    await waitFor(() => player.frames() > 30, 30_000, 'ffmpeg decoding frames');
    const sessionsBefore = station.stats.sessionsOpened;
    const streamedBefore = (await view()).streamingToday;
    const awakeFrom = Date.now();

    await app.op('power', 'suspend');
    // A round trip after the suspend's task: the app has handled it.
    await app.snapshot();
    station.pauseMedia();
    // Asleep: the process is stopped (no timers, no ticks), the wall clock moves on.
    const asleepAt = Date.now();
    app.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, SLEEP_MS));
    app.child.kill('SIGCONT');
    const sleptMs = Date.now() - asleepAt;
    const framesAtResume = player.frames();
    const resumedAt = Date.now();
    await app.op('power', 'resume');

    await waitFor(() => player.frames() > framesAtResume + 10, 5_000, 'ffmpeg decoding again within 5 s of the resume');
    const backMs = Date.now() - resumedAt;
    t.diagnostic(`video back ${backMs} ms after the resume (slept ${sleptMs} ms)`);
    assert.ok(station.stats.sessionsOpened > sessionsBefore, 'a new base-station session');
    assert.equal(player.process.exitCode, null, 'ffmpeg stayed connected');
    const state = await view();
    assert.equal(state.viewers, 1);
    const awakeSeconds = (Date.now() - awakeFrom - sleptMs) / 1000;
    assert.ok(state.streamingToday - streamedBefore <= Math.ceil(awakeSeconds) + 1, `streamed ${state.streamingToday - streamedBefore} s in ${awakeSeconds} s awake (slept ${sleptMs} ms); video back ${backMs} ms after the resume`);
  });
});
