// The live view, thumbnails and snapshot URL in Debian's Chromium (playwright-core) against the
// real `arlo-rtsp demo`: the page's live view plays the H.264 camera (currentTime advances, the
// picture is the stream's size) beside an ffmpeg viewer on the same camera with one base-station
// session between them; the live view holds its lease until closed, then the session ends after
// the linger. First picture with a warm cache: the median over several opens is under 500 ms (each
// open's breakdown is printed); the cold path (an idle camera woken by the view) plays too. The
// card's last picture survives a page reload. snapshot.jpg: a JPEG of the stream's size, 404 for an
// idle camera unless ?wake=1 and for an unknown id, 501 when no ffmpeg is on PATH. Streaming time
// on the card; the daily cap refuses ffmpeg with RTSP 453 and the card says why (the camera is on
// battery as the demo's cloud reports it, no switch touched). Each screen fits at 1280 and 800 px.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertFits, launchChromium, type Chromium } from '../support/chromium.js';
import { ffprobeFile } from '../support/stream-rig.js';
import { startDemo as startDemoProcess, webUiOf, type RunningCli } from '../support/run-cli.js';

const CAMERA = 'Back door';

let demo: RunningCli;
let webUrl: string;
let dir: string;
let browser: Chromium;
let page: Page;
const children: ChildProcess[] = [];

/** What the test reads of the live view's <video> (the test compiles without DOM types). */
interface VideoState {
  width: number;
  height: number;
  first: number;
  t: number;
  audioBytes: number;
  /** When each step of opening happened (ms since the view opened), from the player's `data-timing`. */
  timing: Record<string, number>;
}

/**
 * Runs in the page (the page's CSP forbids evaluating strings, so this is a function): the live
 * view's video state, or undefined before there is one.
 */
function readVideo(): VideoState | undefined {
  interface Video { videoWidth: number; videoHeight: number; currentTime: number; webkitAudioDecodedByteCount: number; dataset: Record<string, string | undefined> }
  const v = (globalThis as unknown as { document: { querySelector(s: string): Video | null } }).document.querySelector('video.live-video');
  if (!v) return undefined;
  const timing = JSON.parse(v.dataset.timing ?? '{}') as Record<string, number>;
  return { width: v.videoWidth, height: v.videoHeight, first: Number(v.dataset.firstPictureMs), t: v.currentTime, audioBytes: v.webkitAudioDecodedByteCount, timing };
}

/** Waits until the live view's video state passes `check` (evaluated here, polled from the page). */
async function videoUntil(check: (v: VideoState) => boolean, what: string, timeoutMs = 20_000): Promise<VideoState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await page.evaluate(readVideo);
    if (state && check(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; video: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface CameraState {
  deviceId: string;
  name: string;
  url: string;
  state: string;
  viewers: number;
  upstreamSessions: number;
}

async function camera(): Promise<CameraState> {
  const response = await fetch(`${webUrl}/api/state`);
  const state = (await response.json()) as { cameras: CameraState[] };
  return state.cameras.find((c) => c.name === CAMERA)!;
}

async function waitCamera(check: (c: CameraState) => boolean, what: string, timeoutMs = 20_000): Promise<CameraState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await camera();
    if (check(c)) return c;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; camera: ${JSON.stringify(c)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function startDemo(env: Record<string, string> = {}): RunningCli {
  const cli = startDemoProcess(env);
  children.push(cli.child);
  return cli;
}

/** The steps of opening a live view, in the order they happen, for the printed breakdown. */
const STEPS = ['transportOpen', 'sourceOpen', 'format', 'sourceBuffer', 'firstBytes', 'firstAppend', 'loadeddata', 'firstPicture', 'playing'];

/** Checks one open's timing is whole and in a possible order; answers its first-picture time. */
function firstPictureOf(v: VideoState): number {
  const { timing } = v;
  for (const step of STEPS.slice(0, -1)) assert.ok(Number.isFinite(timing[step]), `${step} happened: ${JSON.stringify(timing)}`);
  const first = timing.firstPicture!;
  assert.equal(first, v.first);
  // A picture cannot be shown before its bytes came and were appended, nor before the transport opened.
  assert.ok(timing.transportOpen! <= timing.firstBytes! && timing.firstBytes! <= timing.firstAppend! && timing.firstAppend! <= first, JSON.stringify(timing));
  return first;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function probeSize(file: string): Promise<{ width: number; height: number }> {
  const [stream] = await ffprobeFile(file);
  return { width: stream!.width!, height: stream!.height! };
}

before(async () => {
  demo = startDemo();
  webUrl = await webUiOf(demo);
  dir = await mkdtemp(join(tmpdir(), 'ui-live-'));
  browser = await launchChromium('ui-live-chromium', { viewport: { width: 1100, height: 900 }, colorScheme: 'light', timeoutMs: 20_000 });
  page = browser.page;
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('live view, thumbnails and snapshots in the web UI', () => {
  it('answers 404 "no recent picture" for an idle camera, and a JPEG of the stream size with ?wake=1', async () => {
    const { deviceId } = await waitCamera((c) => c.state === 'idle', 'the camera to be idle');
    const idle = await fetch(`${webUrl}/api/cameras/${deviceId}/snapshot.jpg`);
    assert.equal(idle.status, 404);
    assert.match(((await idle.json()) as { message: string }).message, /No recent picture/);
    // An id no camera has is said as such (404), not as a camera to start.
    const unknown = await fetch(`${webUrl}/api/cameras/NOPE/snapshot.jpg`);
    assert.equal(unknown.status, 404);
    const said = (await unknown.json()) as { code: string; message: string };
    assert.equal(said.code, 'unknown-camera');
    assert.match(said.message, /^No camera has the id NOPE: /);
    const woken = await fetch(`${webUrl}/api/cameras/${deviceId}/snapshot.jpg?wake=1`);
    assert.equal(woken.status, 200);
    assert.equal(woken.headers.get('content-type'), 'image/jpeg');
    const file = join(dir, 'snapshot.jpg');
    await writeFile(file, Buffer.from(await woken.arrayBuffer()));
    assert.deepEqual(await probeSize(file), { width: 640, height: 360 });
    await waitCamera((c) => c.state === 'idle', 'the woken camera to sleep again after the linger');
  });

  it('plays the H.264 camera beside an ffmpeg viewer on one base-station session, from the keyframe cache', async () => {
    const { url } = await camera();
    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
    children.push(ffmpeg);
    const before = await waitCamera((c) => c.state === 'media' && c.viewers === 1, 'ffmpeg streaming');
    // Warm: the hub has cached a keyframe by now.
    await page.goto(webUrl);
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: 'Watch' }).click();
    const video = page.getByLabel(`Live video of ${CAMERA}`);
    await video.waitFor();
    const shown = await videoUntil((v) => v.t > 1.5, 'the live view to play');
    assert.deepEqual([shown.width, shown.height], [640, 360]);
    // Playing on: currentTime keeps advancing.
    await videoUntil((v) => v.t > shown.t + 1, 'currentTime to advance');
    await assertFits(page, 'the live view');

    // First picture with a warm cache: the open above (the page's first) and more reopens. The
    // first picture is the first frame handed to the compositor (requestVideoFrameCallback).
    const opens = [shown];
    for (let i = 0; i < 5; i++) {
      await page.getByRole('button', { name: 'Close live view' }).click();
      await card.getByRole('button', { name: 'Watch' }).click();
      // 'playing' can come before the first frame reaches the compositor (the frame callback): wait for both.
      opens.push(await videoUntil((v) => v.timing.playing !== undefined && v.timing.firstPicture !== undefined, 'the reopened live view to show a picture and play'));
    }
    const firsts = opens.map(firstPictureOf);
    console.log(`live view, warm cache: ms since opening, per open\n  ${STEPS.join(' ')}`);
    for (const { timing } of opens) console.log(`  ${STEPS.map((step) => String(timing[step] ?? '-').padStart(step.length)).join(' ')}`);
    console.log(`live view: first picture median ${median(firsts)} ms, max ${Math.max(...firsts)} ms over ${firsts.length} opens (target < 500 ms)`);
    assert.ok(median(firsts) < 500, `median first picture ${median(firsts)} ms`);
    // A loaded machine may stall one open; none may take seconds.
    assert.ok(Math.max(...firsts) < 2500, `slowest first picture ${Math.max(...firsts)} ms`);
    await videoUntil((v) => v.t > 1, 'the reopened view to play on');

    // With sound: reopened with the camera's AAC, which Chromium decodes too.
    await page.getByRole('button', { name: 'Sound on' }).click();
    const withSound = await videoUntil((v) => v.audioBytes > 0 && v.t > 1, 'playing with sound');
    // The browser's first audio pays for opening its audio output; a second opening with sound shows the steady cost.
    await page.getByRole('button', { name: 'Sound off' }).click();
    await videoUntil((v) => v.timing.playing !== undefined && v.audioBytes === 0, 'playing without sound');
    await page.getByRole('button', { name: 'Sound on' }).click();
    const withSoundAgain = await videoUntil((v) => v.audioBytes > 0 && v.t > 1, 'playing with sound again');
    console.log(`live view with sound: first picture ${firstPictureOf(withSound)} ms (the page's first audio), then ${firstPictureOf(withSoundAgain)} ms`);
    console.log(`  ${JSON.stringify(withSound.timing)}\n  ${JSON.stringify(withSoundAgain.timing)}`);
    const both = await waitCamera((c) => c.viewers === 2, 'the live view counted as a viewer');
    assert.equal(both.upstreamSessions, before.upstreamSessions, 'no second base-station session');

    // ffmpeg leaves; the live view alone holds the stream.
    ffmpeg.kill('SIGTERM');
    await waitCamera((c) => c.viewers === 1, 'ffmpeg gone');
    assert.equal((await camera()).state, 'media');
    await page.getByRole('button', { name: 'Close live view' }).click();
    await waitCamera((c) => c.viewers === 0, 'the live view released');
    await waitCamera((c) => c.state === 'idle', 'the session to end after the linger');
    // The card keeps the last picture seen, with its age.
    await card.getByRole('img', { name: `Last picture of ${CAMERA}` }).waitFor();
    await card.locator('[data-stat="picture-age"]').waitFor();
    // And after a reload too: the app kept the last picture it took, with the time it was taken.
    await page.reload();
    await card.getByRole('img', { name: `Last picture of ${CAMERA}` }).waitFor();
    assert.match((await card.locator('[data-stat="picture-age"]').textContent()) ?? '', /^(just now|\d+ s ago|\d+ min ago)$/);
    assert.equal((await camera()).state, 'idle', 'showing the last picture did not wake the camera');
  });

  it('opens the live view of an idle camera: wakes it, shows the picture, and lets it sleep when closed', async () => {
    await waitCamera((c) => c.state === 'idle' && c.viewers === 0, 'the camera to be idle');
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: 'Watch' }).click();
    const cold = await videoUntil((v) => v.timing.playing !== undefined && v.t > 0.5, 'the woken camera to play', 30_000);
    assert.deepEqual([cold.width, cold.height], [640, 360]);
    console.log(`live view, cold (camera idle, woken): first picture ${firstPictureOf(cold)} ms ${JSON.stringify(cold.timing)}`);
    await page.getByRole('button', { name: 'Close live view' }).click();
    await waitCamera((c) => c.viewers === 0, 'the live view released');
    await waitCamera((c) => c.state === 'idle', 'the session to end after the linger');
  });

  it('refuses a new viewer with RTSP 453 and says why on the card once the daily cap is reached', async () => {
    const card = page.getByRole('listitem', { name: CAMERA });
    // The demo's cloud reports this camera's battery: no switch needed for the budget to apply.
    assert.equal(await card.locator('[data-stat="battery-source"]').textContent(), 'Battery: reported by Arlo.');
    assert.equal(await card.getByRole('checkbox', { name: /Runs on battery/ }).isChecked(), true);
    const today = (await card.locator('[data-stat="streamed-today"]').textContent()) ?? '';
    assert.doesNotMatch(today, /^0 s$/, `the card counts today's streaming (${today})`);
    const response = await fetch(`${webUrl}/api/call/updateSettings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ batteryCapMinutes: 0 }]),
    });
    assert.equal(response.status, 200, await response.text());
    const { url } = await camera();
    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(ffmpeg);
    let stderr = '';
    ffmpeg.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => ffmpeg.on('exit', resolve));
    assert.notEqual(code, 0);
    console.log(`ffmpeg refused: ${stderr.trim().split('\n')[0]}`);
    assert.match(stderr, /453/);
    assert.match(stderr, /Daily cap reached/);
    const notice = card.locator('[data-notice="capped"]');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /new viewers are refused until tomorrow/);
    await assertFits(page, 'the card refusing viewers past the daily cap');
    assert.equal((await camera()).state, 'idle', 'the refused viewer did not wake the camera');
  });

  it('counted three base-station sessions in all (the snapshot wake, ffmpeg with the live view, the cold live view), with TEARDOWN', async () => {
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exited, 0, demo.output());
    const summary = /(\d+) sessions, (\d+) TEARDOWNs with a valid Nonce, (\d+) Nonce violations/.exec(demo.output());
    assert.ok(summary, demo.output());
    assert.equal(summary[1], '3');
    assert.equal(summary[2], '3');
    assert.equal(summary[3], '0');
  });

  it('answers 501 naming what to install when no ffmpeg is on PATH', async () => {
    const bare = startDemo({ PATH: '' });
    const url = await webUiOf(bare);
    const state = (await (await fetch(`${url}/api/state`)).json()) as { cameras: CameraState[] };
    const { deviceId } = state.cameras.find((c) => c.name === CAMERA)!;
    const response = await fetch(`${url}/api/cameras/${deviceId}/snapshot.jpg?wake=1`);
    assert.equal(response.status, 501);
    assert.match(((await response.json()) as { message: string }).message, /install it .*apt install ffmpeg/);
    bare.child.kill('SIGTERM');
    await bare.exited;
  });
});
