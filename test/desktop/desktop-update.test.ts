// Updates in the desktop app, as built, from a local feed served over loopback HTTP the way the
// release workflow publishes to GitHub releases (latest-linux.yml / latest-mac.yml beside the
// installers), read by the electron-updater stand-in of harness/: the update found at start is
// downloaded and offered as "Restart to update" in the tray and the window, with a notification;
// while a camera streams the restart asks first ("Later" keeps it running); agreed, the installer
// starts and the app quits with a TEARDOWN. The Update checks setting off: no check. macOS: "a new
// version is available" with its release page, nothing downloaded.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppState, CameraView } from '../../src/shared/api.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { h264Only, startCloudAndStation } from '../support/cloud-station.js';
import { cleanUpDesktops, exitsWithin, quitFromTray, startDesktop, tempHome, until, type DesktopApp } from './harness/driver.js';
import { enrolledDesktop } from './harness/enrolled.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let feed: Server;
let feedUrl: string;
const requests: string[] = [];
const players: ChildProcess[] = [];
const INSTALLER = randomBytes(200_000);
const NEW_VERSION = '0.2.0';

/** A channel file as electron-builder writes it: the version, its files with their sha512 (base64) and size. */
function channelFile(file: string): string {
  const sha512 = createHash('sha512').update(INSTALLER).digest('base64');
  return `version: ${NEW_VERSION}\nfiles:\n  - url: ${file}\n    sha512: ${sha512}\n    size: ${INSTALLER.length}\npath: ${file}\nsha512: ${sha512}\nreleaseDate: '2026-12-01T10:00:00.000Z'\n`;
}
const FEED: Record<string, Buffer> = {
  '/latest-linux.yml': Buffer.from(channelFile(`arlo-local-rtsp-${NEW_VERSION}-linux-x86_64.AppImage`)),
  [`/arlo-local-rtsp-${NEW_VERSION}-linux-x86_64.AppImage`]: INSTALLER,
  '/latest-mac.yml': Buffer.from(channelFile(`arlo-local-rtsp-${NEW_VERSION}-mac-arm64.dmg`)),
  [`/arlo-local-rtsp-${NEW_VERSION}-mac-arm64.dmg`]: INSTALLER,
};

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: h264Only }));
  feed = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = FEED[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/`;
});

after(async () => {
  for (const player of players) player.kill('SIGKILL');
  await cleanUpDesktops();
  feed?.close();
  await closeSim?.();
});

const updaterEnv = () => ({ HARNESS_PACKAGED: '1', HARNESS_UPDATE_FEED: feedUrl });
const state = (app: DesktopApp, windowId: number) => app.call<AppState>(windowId, 'getState');
const trayLabels = async (app: DesktopApp): Promise<string[]> => ((await app.snapshot()).tray?.menu ?? []).map((i) => i.label ?? '');

describe('updates', () => {
  it('found on the feed: downloaded, "Restart to update" in the tray and the window, notified; asks while a camera streams; installs and quits when agreed', async () => {
    let answer = 'Later';
    const asked: string[] = [];
    const home = (await tempHome()).path;
    const { app, windowId } = await enrolledDesktop({
      home, cloud, station,
      launch: { env: updaterEnv(), onDialog: (d) => { asked.push(d.message); return d.buttons?.indexOf(answer) ?? 0; } },
    });
    const RESTART = `Restart to update (${NEW_VERSION})`;
    await until(app, async () => (await trayLabels(app)).includes(RESTART), 'the tray offering the restart');
    assert.deepEqual((await state(app, windowId)).update, { state: 'ready', version: NEW_VERSION });
    assert.deepEqual((await app.snapshot()).updater.downloaded, [`arlo-local-rtsp-${NEW_VERSION}-linux-x86_64.AppImage`]);
    await until(app, async () => (await app.snapshot()).notifications.some((n) => n.title === `Arlo Local RTSP ${NEW_VERSION} is ready`), 'the update-ready notification');

    // A camera streams to ffmpeg: the restart asks, and "Later" keeps everything running.
    const [camera] = (await state(app, windowId)).cameras;
    await app.call(windowId, 'startCamera', camera!.deviceId);
    const view = async (): Promise<CameraView> => (await state(app, windowId)).cameras.find((c) => c.deviceId === camera!.deviceId)!;
    players.push(spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', (await view()).url, '-t', '60', '-f', 'null', '-'], { stdio: 'ignore' }));
    await until(app, async () => (await view()).state === 'media', 'the camera streaming');
    await app.op('clickTray', [RESTART]);
    await until(app, async () => asked.length === 1, 'the question before the restart');
    assert.equal(asked[0], 'Restart to update now?');
    assert.deepEqual((await app.snapshot()).updater.installs, [], 'not installed after "Later"');
    assert.equal((await view()).state, 'media', 'the camera still streams');

    // Agreed, from the window's button: the installer starts and the app quits, tearing down.
    answer = 'Restart now';
    const teardowns = station.stats.teardownsWithValidNonce;
    await app.call(windowId, 'restartToUpdate').catch(() => undefined);
    assert.equal(await exitsWithin(app, 15_000), 0);
    assert.equal(asked.length, 2);
    assert.ok(station.stats.teardownsWithValidNonce > teardowns, 'a TEARDOWN before the restart');
    // The stand-in's record went with the process; the installer's start is in the app's log.
    assert.match(app.output(), /Install: isSilent: false, isForceRunAfter: true/);
  });

  it('with Update checks off, the next start checks nothing', async () => {
    const { app, home, first } = await startDesktop({ env: updaterEnv() });
    await until(app, async () => (await app.snapshot()).updater.checks === 1, 'the check at start');
    await app.call(first.windows[0]!.id, 'updateSettings', { updateChecks: false });
    assert.equal(await quitFromTray(app), 0);
    const asked = requests.length;
    const again = await startDesktop({ home, env: updaterEnv() });
    assert.equal((await again.app.snapshot()).updater.checks, 0);
    assert.equal(requests.length, asked, 'no request to the feed');
    assert.equal(await quitFromTray(again.app), 0);
  });

  it('macOS: "a new version is available" links to its release page; nothing is downloaded', async () => {
    const resources = await mkdtemp(join(tmpdir(), 'harness-resources-'));
    // What electron-builder writes from the publish settings of electron-builder.yml.
    await writeFile(join(resources, 'app-update.yml'), 'owner: example-owner\nrepo: arlo-local-rtsp\nprovider: github\nupdaterCacheDirName: arlo-local-rtsp-updater\n');
    const { app, first } = await startDesktop({ env: { ...updaterEnv(), HARNESS_PLATFORM: 'darwin', HARNESS_RESOURCES: resources } });
    const AVAILABLE = `A new version is available (${NEW_VERSION})…`;
    await until(app, async () => (await trayLabels(app)).includes(AVAILABLE), 'the tray saying a new version is available');
    const url = `https://github.com/example-owner/arlo-local-rtsp/releases/tag/v${NEW_VERSION}`;
    assert.deepEqual((await state(app, first.windows[0]!.id)).update, { state: 'available', version: NEW_VERSION, url });
    await app.op('clickTray', [AVAILABLE]);
    await until(app, async () => (await app.snapshot()).openedExternal.includes(url), 'the release page opened');
    assert.deepEqual((await app.snapshot()).updater.downloaded, []);
    assert.ok(!requests.some((r) => r.endsWith('.dmg')), requests.join(', '));
    assert.equal(await quitFromTray(app), 0);
  });
});
