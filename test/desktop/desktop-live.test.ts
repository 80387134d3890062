// The live view in the desktop window, end to end as built: dist/main/electron/main.js under the
// Electron stand-in of harness/, the real bundled preload, and in the page's world the renderer's
// own live transport (src/renderer/api/live.ts, bundled here as the app's page bundles it), against
// the simulated cloud and the strict simulated base station. The page asks over IPC; the main
// process answers with a MessagePort fed by the camera's hub; the MP4 that arrives is read by
// ffprobe. One base-station session serves the page and an ffmpeg viewer together; every way a
// view ends (the player closing, the window hidden to the tray, the page reloading or crashing)
// releases its viewer, and the session ends after the linger. A frame that is not our page is
// refused, and the daily cap comes to the page as the same error message the web shows. A card's
// thumbnail: the page's latestPicture call through the real preload answers a JPEG of the stream's
// size while ffmpeg streams the camera, and that last picture for the idle camera without the
// base station opening a session. And the
// window's page itself (dist/renderer from file://) in Chromium: its player takes a real
// MessagePort, fed with what the main process sent, and plays it with MSE; hidden to the tray and
// shown again, its "Watch again" plays the camera again.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'vite';
import type { AppState, CameraPicture, CameraView } from '../../src/shared/api.js';
import { IPC_CALL_CHANNEL, IPC_LIVE_CHANNEL, type ApiResult } from '../../src/shared/bridge.js';
import type { LiveMessage } from '../../src/shared/live.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { h264Only, startCloudAndStation } from '../support/cloud-station.js';
import { ffprobeFile, ffprobeJpegDataUrl } from '../support/stream-rig.js';
import { launchChromium } from '../support/chromium.js';
import { preloadStandIn } from './harness/chromium-page.js';
import { tempHome, until, type DesktopApp } from './harness/driver.js';
import { enrolledDesktop } from './harness/enrolled.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let home: { path: string; remove(): Promise<void> };
let dir: string;
let app: DesktopApp;
let windowId: number;
/** The renderer's live transport as a script for the page's world (global `rendererLive`). */
let transportScript: string;
const players: ChildProcess[] = [];

const account = () => cloud.accounts.owner;
const devices = () => cloud.devicesOf(account());
const camera = () => devices().find((d) => d.modelId === 'VMC2030')!;

/**
 * The page's side, as the player uses the transport: each view keeps the messages, the MP4 (up
 * to 8 MB) and whether its transport closed. `__views.open` answers the view's number.
 */
const PAGE_VIEWS = `
  globalThis.__views = (() => {
    const views = [];
    return {
      open(deviceId) {
        const view = { messages: [], chunks: [], bytes: 0, fragments: 0, closed: false };
        view.close = rendererLive.openLive(deviceId, false, {
          opened() {},
          message: (m) => view.messages.push(m),
          data: (bytes) => {
            if (view.bytes < 8 * 1024 * 1024) view.chunks.push(bytes.slice());
            view.bytes += bytes.byteLength;
            for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === 0x6d && bytes[i + 1] === 0x6f && bytes[i + 2] === 0x6f && bytes[i + 3] === 0x66) view.fragments++;
          },
          closed: () => { view.closed = true; },
        });
        return views.push(view) - 1;
      },
      read(n) {
        const { messages, chunks, bytes, fragments, closed } = views[n];
        const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
        let at = 0;
        for (const c of chunks) { all.set(c, at); at += c.length; }
        return { messages, bytes, fragments, closed, mp4: all };
      },
      close(n) { views[n].close(); },
      /** A player closed before its port came (the user quick on Close, or toggling sound). */
      openAndClose(deviceId) {
        rendererLive.openLive(deviceId, false, { opened() {}, message() {}, data() {}, closed() {} })();
      },
    };
  })();
`;

/**
 * For the player in Chromium: in the harness's page, the port the real preload hands over, its
 * messages kept for the test to carry on (`take`), and the player's acknowledgements carried back.
 */
const PAGE_RELAY = `
  globalThis.__relay = (() => {
    let port;
    const items = [];
    return {
      open(request) {
        addEventListener('message', function take(event) {
          if (event.data?.arloLivePort !== request.id) return;
          removeEventListener('message', take);
          port = event.ports[0];
          port.onmessage = (m) => items.push(m.data);
        });
        return arloBridge.openLive(request);
      },
      take: () => items.splice(0),
      ack(bytes) { port?.postMessage({ type: 'ack', bytes }); },
      close() { port?.close(); },
    };
  })();
`;

/**
 * In Chromium, the preload's part: a MessageChannel whose far end is posted to the window as the
 * preload posts it, and whose near end is fed what the harness's page received (`__feed`: messages
 * as they are, MP4 as base64 text).
 */
const CHROMIUM_LIVE_BRIDGE = `
  openLive(request) {
    const channel = new MessageChannel();
    const live = { port: channel.port1, acked: 0 };
    window.__live = live;
    channel.port1.onmessage = (e) => { if (e.data && e.data.type === 'ack') live.acked = e.data.bytes; };
    window.postMessage({ arloLivePort: request.id }, '*', [channel.port2]);
    return window.__harnessOpenLive(request);
  },
`;
const CHROMIUM_FEED = `
  window.__feed = (items) => {
    for (const item of items) window.__live.port.postMessage(typeof item === 'string' ? Uint8Array.from(atob(item), (c) => c.charCodeAt(0)) : item);
    return window.__live.acked;
  };
`;

interface PageView {
  messages: LiveMessage[];
  bytes: number;
  fragments: number;
  closed: boolean;
  mp4: Uint8Array;
}

before(async () => {
  const bundle = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: 'src/renderer/api/live.ts', formats: ['iife'], name: 'rendererLive', fileName: () => 'live.js' } },
  });
  const outputs = Array.isArray(bundle) ? bundle : [bundle];
  transportScript = outputs.flatMap((o) => ('output' in o ? o.output : [])).map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
  assert.match(transportScript, /rendererLive/);

  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: h264Only }));
  home = await tempHome();
  dir = await mkdtemp(join(tmpdir(), 'desktop-live-'));

  ({ app, windowId } = await enrolledDesktop({ home: home.path, cloud, station, settings: { lingerSeconds: 1 } }));
  await app.call(windowId, 'startCamera', camera().deviceId);
  await loadPageScripts();
});

after(async () => {
  for (const player of players) player.kill('SIGKILL');
  app?.kill();
  await closeSim?.();
  await home?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The transport and the views, in the page's world (again after a reload: a new page). */
async function loadPageScripts(): Promise<void> {
  // `void 0`: a script's completion value comes back to the test, and these would be functions.
  await app.op('pageRun', { windowId, script: `${transportScript};void 0` });
  await app.op('pageRun', { windowId, script: `${PAGE_VIEWS};void 0` });
}

/** The camera as the app's state shows it; asked on the page's IPC channel, page or no page (after a crash). */
async function view(): Promise<CameraView> {
  const result = await app.op<ApiResult>('invokeFrom', { windowId, channel: IPC_CALL_CHANNEL, args: ['getState', []] });
  assert.ok(result.ok);
  return (result.value as AppState).cameras.find((c) => c.deviceId === camera().deviceId)!;
}

async function viewUntil(check: (v: CameraView) => boolean, what: string, timeoutMs = 30_000): Promise<CameraView> {
  return until(app, async () => {
    const v = await view();
    return check(v) ? v : undefined;
  }, what, timeoutMs);
}

const openView = (): Promise<number> => app.op<number>('pageRun', { windowId, script: `__views.open(${JSON.stringify(camera().deviceId)})` });
const readView = (n: number): Promise<PageView> => app.op<PageView>('pageRun', { windowId, script: `__views.read(${n})` });

async function fragmentsIn(n: number, count: number): Promise<PageView> {
  return until(app, async () => {
    const v = await readView(n);
    assert.ok(!v.messages.some((m) => m.type !== 'format'), `no end or error: ${JSON.stringify(v.messages)}`);
    return v.fragments >= count ? v : undefined;
  }, `${count} fragments in the page`);
}

describe('the live view in the desktop window (MessagePort)', () => {
  it('plays the camera beside an ffmpeg viewer on one base-station session; closing the player releases it; the session ends after the linger', async () => {
    const { url } = await viewUntil((v) => v.running, 'the camera to run');
    const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '120', '-f', 'null', '-'], { stdio: 'ignore' });
    players.push(ffmpeg);
    const before = await viewUntil((v) => v.state === 'media' && v.viewers === 1, 'ffmpeg streaming');
    const opened = station.stats.sessionsOpened;

    const n = await openView();
    const watched = await fragmentsIn(n, 20);
    const [first] = watched.messages;
    assert.equal(first?.type, 'format');
    assert.deepEqual(first.type === 'format' && [first.format.width, first.format.height, first.format.hevc], [640, 360, false]);
    assert.match(first.type === 'format' ? first.format.mime : '', /^video\/mp4; codecs="avc1\.[0-9a-f]{6}"$/);
    const file = join(dir, 'desktop-live.mp4');
    await writeFile(file, watched.mp4);
    const streams = await ffprobeFile(file, { countFrames: true });
    assert.deepEqual(streams.map((s) => [s.codec_type, s.codec_name, s.width, s.height]), [['video', 'h264', 640, 360]]);
    assert.ok(Number(streams[0]!.nb_read_frames) >= 20, `ffprobe decoded ${streams[0]!.nb_read_frames} pictures`);

    const both = await viewUntil((v) => v.viewers === 2, 'the live view counted as a viewer');
    assert.equal(both.upstreamSessions, before.upstreamSessions, 'no second session in the app');
    assert.equal(station.stats.sessionsOpened, opened, 'no second session at the base station');
    assert.equal(station.stats.activeSessions, 1);

    await app.op('pageRun', { windowId, script: `__views.close(${n})` });
    await viewUntil((v) => v.viewers === 1, 'the closed player released');
    ffmpeg.kill('SIGTERM');
    await viewUntil((v) => v.viewers === 0 && v.state === 'idle', 'the session to end after the linger');
    await until(app, async () => station.stats.activeSessions === 0, 'the base station to see the session end');
    assert.equal(station.stats.nonceViolations, 0);
  });

  it("gives the page a streaming camera's latest picture through the preload, and once idle that last picture without waking it", async () => {
    const { url } = await viewUntil((v) => v.running && v.state === 'idle', 'the camera idle');
    const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '120', '-f', 'null', '-'], { stdio: 'ignore' });
    players.push(ffmpeg);
    await viewUntil((v) => v.state === 'media' && v.viewers === 1, 'ffmpeg streaming');
    const picture = await app.call<CameraPicture>(windowId, 'latestPicture', camera().deviceId);
    const [stream] = await ffprobeJpegDataUrl(picture.dataUrl, join(dir, 'desktop-thumbnail.jpg'));
    assert.deepEqual([stream?.codec_name, stream?.width, stream?.height], ['mjpeg', 640, 360]);
    assert.equal((await view()).viewers, 1, 'the picture was taken without staying a viewer');

    ffmpeg.kill('SIGTERM');
    await viewUntil((v) => v.viewers === 0 && v.state === 'idle', 'the session to end after the linger');
    await until(app, async () => station.stats.activeSessions === 0, 'the base station to see the session end');
    const opened = station.stats.sessionsOpened;
    // Idle: the last picture taken (the page's own thumbnail may have taken a later one), with its time, without waking it.
    const last = await app.call<CameraPicture>(windowId, 'latestPicture', camera().deviceId);
    assert.ok(last.dataUrl.startsWith('data:image/jpeg;base64,') && last.takenAt >= picture.takenAt && last.takenAt <= Date.now(), `taken at ${last.takenAt}`);
    assert.equal(station.stats.sessionsOpened, opened, 'the idle camera was not woken');
    assert.equal(station.stats.activeSessions, 0);
    assert.equal((await view()).state, 'idle');
  });

  it("plays in the window's player in Chromium: the renderer's port transport and MSE, currentTime advancing; after the window was hidden, \"Watch again\" plays again", async () => {
    await app.op('pageRun', { windowId, script: `${PAGE_RELAY};void 0` });
    const windowUrl = (await app.snapshot()).windows[0]!.url;
    const browser = await launchChromium('desktop-live-chromium', { fileAccess: true, timeoutMs: 30_000 });
    let relaying = true;
    try {
      const { page } = browser;
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.exposeFunction('__harnessCall', (method: string, args: unknown[]) => app.op<ApiResult>('rendererCall', { windowId, method, args }));
      await page.exposeFunction('__harnessOpenLive', (request: unknown) => app.op<ApiResult>('pageRun', { windowId, script: `__relay.open(${JSON.stringify(request)})` }));
      await page.addInitScript({ content: preloadStandIn(CHROMIUM_LIVE_BRIDGE) });
      await page.addInitScript({ content: CHROMIUM_FEED });
      await page.goto(windowUrl);
      const card = page.getByRole('listitem', { name: camera().deviceName });
      await card.getByRole('button', { name: 'Watch' }).click();
      // Carries what the main process sent on to the player, and the player's acknowledgements back.
      const relay = (async () => {
        while (relaying) {
          const items = await app.op<(LiveMessage | Uint8Array)[]>('pageRun', { windowId, script: '__relay.take()' });
          const encoded = items.map((item) => (ArrayBuffer.isView(item) ? Buffer.from(item).toString('base64') : item));
          const acked = await page.evaluate<number>(`__feed(${JSON.stringify(encoded)})`);
          if (acked > 0) await app.op('pageRun', { windowId, script: `__relay.ack(${acked})` });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const video = async () => page.evaluate<{ t: number; width: number; height: number }>(
        `(() => { const v = document.querySelector('video'); return { t: v?.currentTime ?? 0, width: v?.videoWidth ?? 0, height: v?.videoHeight ?? 0 }; })()`,
      );
      const playing = await until(app, async () => {
        const v = await video();
        return v.t > 1 ? v : undefined;
      }, 'the player to play', 60_000);
      assert.deepEqual([playing.width, playing.height], [640, 360]);
      await until(app, async () => (await video()).t > playing.t + 1, 'currentTime to advance');
      assert.equal((await view()).viewers, 1);

      // Hidden to the tray, the view stops and says why; shown again, one click watches again.
      await app.op('closeWindow', windowId);
      await viewUntil((v) => v.viewers === 0, 'the viewer released while hidden');
      const dialog = page.getByRole('dialog', { name: `Live view of ${camera().deviceName}` });
      await dialog.getByRole('alert').filter({ hasText: 'The live view stopped while the window was hidden.' }).waitFor();
      await app.op('clickTrayIcon');
      await dialog.getByRole('button', { name: 'Watch again' }).click();
      const again = await until(app, async () => {
        const v = await video();
        return v.t > 1 ? v : undefined;
      }, 'the player to play again', 60_000);
      assert.deepEqual([again.width, again.height], [640, 360]);
      await viewUntil((v) => v.viewers === 1, 'watching again counted as a viewer');
      assert.equal(await dialog.getByRole('button', { name: 'Watch again' }).count(), 0);
      await page.getByRole('button', { name: 'Close live view' }).click();
      relaying = false;
      await relay;
      assert.deepEqual(errors, []);
    } finally {
      relaying = false;
      await app.op('pageRun', { windowId, script: '__relay.close()' });
      await browser.close();
    }
    await viewUntil((v) => v.viewers === 0 && v.state === 'idle', 'the viewer released and the session ended');
  });

  for (const [how, act, after] of [
    ['hiding the window to the tray', () => app.op('closeWindow', windowId), async () => app.op('clickTrayIcon')],
    ['reloading the page', () => app.op('reloadPage', { windowId }), loadPageScripts],
    ['the page crashing', () => app.op('crashRenderer', { windowId }), async () => {
      await app.op('reloadPage', { windowId });
      await loadPageScripts();
    }],
  ] as const) {
    it(`${how} releases the live view's viewer`, async () => {
      const n = await openView();
      await fragmentsIn(n, 3);
      await viewUntil((v) => v.viewers === 1 && v.state === 'media', 'the live view watching');
      await act();
      await viewUntil((v) => v.viewers === 0, `the viewer released after ${how}`);
      if (how.startsWith('hiding')) {
        const ended = await until(app, async () => {
          const v = await readView(n);
          return v.closed ? v : undefined;
        }, 'the page told');
        assert.deepEqual(ended.messages.at(-1), { type: 'end', reason: 'The live view stopped while the window was hidden.' });
      }
      await after();
      await viewUntil((v) => v.state === 'idle', 'the session to end after the linger');
    });
  }

  it('releases a view the player closed before its port came', async () => {
    const opened = station.stats.sessionsOpened;
    await app.op('pageRun', { windowId, script: `__views.openAndClose(${JSON.stringify(camera().deviceId)})` });
    await until(app, async () => station.stats.sessionsOpened > opened, 'the camera woken for the view');
    await viewUntil((v) => v.viewers === 0 && v.state === 'idle', 'the viewer released and the session ended');
    await until(app, async () => station.stats.activeSessions === 0, 'the base station to see the session end');
  });

  it('refuses a frame that is not our page: no port, no viewer', async () => {
    const request = { id: 'x', deviceId: camera().deviceId, audio: false };
    for (const frame of [{ url: 'https://example.invalid/', parent: null }, { url: (await app.snapshot()).windows[0]!.url, parent: 'top' }]) {
      const result = await app.op<ApiResult>('invokeFrom', { windowId, frame, channel: IPC_LIVE_CHANNEL, args: [request] });
      assert.deepEqual(result, { ok: false, error: { code: 'forbidden', message: 'This page may not control the app.' } });
    }
    const bad = await app.op<ApiResult>('invokeFrom', { windowId, channel: IPC_LIVE_CHANNEL, args: [{ id: 'x', deviceId: 7 }] });
    assert.equal(!bad.ok && bad.error.code, 'bad-request');
    const v = await view();
    assert.equal(v.viewers, 0);
    assert.equal(v.state, 'idle', 'the camera was not woken');
  });

  it("says why on the page when the battery camera's daily cap is reached", async () => {
    await app.call(windowId, 'setCameraBattery', camera().deviceId, true);
    await app.call(windowId, 'updateSettings', { batteryCapMinutes: 0 });
    const n = await openView();
    const refused = await until(app, async () => {
      const v = await readView(n);
      return v.closed ? v : undefined;
    }, 'the refusal');
    assert.equal(refused.messages.length, 1);
    const [message] = refused.messages;
    assert.equal(message?.type, 'error');
    assert.match(message.type === 'error' ? message.error.message : '', /^Daily cap reached/);
    assert.equal(refused.bytes, 0);
    assert.equal((await view()).viewers, 0);
  });
});
