// What a user sees of a stream's lifecycle through the headless shell's real HTTP surface (the
// service behind the web binding and GET /api/state): a camera another app streams waits with the
// reason and the retry time and starts by itself once freed, while ffmpeg waits; a port taken by
// another program is named as such; the events socket gets each state once; latestPicture (the
// cards' thumbnails) answers a JPEG of a streaming camera and never wakes an idle one.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { testAccessToken } from '../support/access-token.js';
import type { AppState, CameraPicture, CameraView } from '../../src/shared/api.js';
import { cameraStatusLine } from '../../src/shared/camera-status.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { startWebServer, type StateSummary, type WebServer } from '../../src/main/headless/web.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity } from '../../src/sim/identity.js';
import { NO_RECENT_PICTURE_MESSAGE } from '../../src/main/live/snapshot.js';
import { ffmpegDecode, ffprobeJpegDataUrl } from '../support/stream-rig.js';

const PASSPHRASE = 'stream states test';
let station: SimBaseStation;
let dataDir: string;
let service: AppService;
let web: WebServer;
/** Held by "another program" for the port-in-use case. */
let squatter: net.Server;
let squattedPort: number;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function call(method: string, ...args: unknown[]): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${web.url}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: web.url },
    body: JSON.stringify(args),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

async function stateOf(deviceId: string): Promise<CameraView> {
  const summary = (await (await fetch(`${web.url}/api/state`)).json()) as StateSummary;
  return summary.cameras.find((c) => c.deviceId === deviceId)!;
}

async function stateUntil(deviceId: string, check: (view: CameraView) => boolean, what: string, timeoutMs = 20_000): Promise<CameraView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await stateOf(deviceId);
    if (check(view)) return view;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  const ca = await SimCertificateAuthority.create();
  const identity = issueIdentity(ca);
  station = new SimBaseStation({ ca, cameras: [{ deviceId: 'BUSYCAM', codecs: ['avc'] }, { deviceId: 'SQUATCAM', codecs: ['avc'] }] });
  await station.start();
  squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  squattedPort = (squatter.address() as net.AddressInfo).port;

  // An installation already enrolled with the base station, as the setup flow leaves it.
  dataDir = await mkdtemp(join(tmpdir(), 'arlo-states-'));
  const store = await openDataStore(dataDir, { passphrase: PASSPHRASE, logger: silentLogger });
  const busyPort = await freePort();
  await store.update((data) => {
    data.baseStations.push({
      deviceId: 'BASE1', name: 'Base', model: 'VMB4540', uniqueId: 'u1', host: '127.0.0.1', port: station.port, addressSource: 'typed',
      certificatePem: identity.certPem,
    });
    const camera = { model: 'VMC2030', baseStationId: 'BASE1', ownBaseStation: false, codecs: ['avc' as const], codec: 'avc' as const, localStreaming: true, running: false };
    data.cameras.push({ ...camera, deviceId: 'BUSYCAM', name: 'Busy camera', port: busyPort });
    data.cameras.push({ ...camera, deviceId: 'SQUATCAM', name: 'Squatted camera', port: squattedPort });
  });
  await store.secrets.set('clientPrivateKey', identity.keyPem);

  service = await createAppService({ dataDir, passphrase: PASSPHRASE, logger: silentLogger, shell: 'web', discovery: false });
  web = await startWebServer({ host: '127.0.0.1', port: 0, api: service, accessToken: await testAccessToken(), logger: silentLogger, rendererRoot: join(dataDir, 'no-ui') });
});

after(async () => {
  await web?.close();
  await service?.close();
  await station?.stop();
  await new Promise<void>((resolve) => squatter.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
  assert.equal(station.stats.nonceViolations, 0);
});

describe('stream states through the web binding', () => {
  // First, while no camera runs: nothing else publishes meanwhile.
  it('sends the current state once on the events socket, then each published state', async () => {
    const ws = new WebSocket(`${web.url.replace('http', 'ws')}/api/events`, { headers: { Origin: web.url } });
    const messages: { type: string; state?: AppState }[] = [];
    let wake: () => void = () => undefined;
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()) as { type: string; state?: AppState });
      wake();
    });
    const next = (count: number) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for message ${count}`)), 10_000);
      wake = () => {
        if (messages.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
    try {
      await next(1);
      const first = messages[0]!.state!.settings.lingerSeconds;
      const changed = await call('updateSettings', { lingerSeconds: first + 1 });
      assert.equal(changed.status, 200);
      await next(2);
      // The second message is the change, not the first state again.
      assert.equal(messages[1]!.state!.settings.lingerSeconds, first + 1);
    } finally {
      ws.close();
    }
  });

  it('shows a camera another app streams as waiting (busy, retry time), and streams by itself once freed while ffmpeg waits', async () => {
    const release = station.occupyCamera('BUSYCAM');
    const started = await call('startCamera', 'BUSYCAM');
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const { url } = await stateOf('BUSYCAM');

    const decoding = ffmpegDecode(url, { frames: 30, timeoutMs: 90_000 });
    let waiting: CameraView | undefined;
    const deadline = Date.now() + 20_000;
    while (!waiting && Date.now() < deadline) {
      const view = await stateOf('BUSYCAM');
      if (view.state === 'waiting') waiting = view;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(waiting, 'the camera waits');
    assert.equal(waiting.waitReason, 'busy');
    assert.match(waiting.error ?? '', /another app is streaming this camera \(the Arlo app's live view, another copy of this app, Scrypted\.\.\.\)/);
    const retryAt = Date.parse(waiting.retryAt ?? '');
    assert.ok(retryAt > Date.now() - 2_000 && retryAt < Date.now() + 60_000, `retry at ${waiting.retryAt}`);
    // What the window and the tray print under the camera.
    assert.match(cameraStatusLine(waiting, retryAt - 8_000) ?? '', /^busy: another app is streaming this camera .*; retrying in 8 s$/);

    release();
    const decoded = await decoding;
    assert.equal(decoded.code, 0, decoded.errors);
    assert.ok(decoded.frames >= 30, `decoded ${decoded.frames} frames`);
    const streaming = await stateOf('BUSYCAM');
    assert.ok(streaming.upstreamSessions >= 1);
    assert.equal(streaming.waitReason, undefined);
  });

  it('names a port taken by another program when a camera starts, through the web binding', async () => {
    const started = await call('startCamera', 'SQUATCAM');
    assert.equal(started.status, 422);
    assert.deepEqual(started.body, {
      code: 'port-in-use',
      message: `Port ${squattedPort} on 127.0.0.1 is already in use by another program: choose another port for this camera.`,
    });
  });

  it("answers a streaming camera's latest picture (a JPEG of the stream's size) and, once idle, that last picture without waking it; a camera never seen, no recent picture", async () => {
    assert.equal((await call('updateSettings', { lingerSeconds: 1 })).status, 200);
    assert.equal((await call('startCamera', 'BUSYCAM')).status, 200);
    // Idle, and no picture taken of it yet while this app runs: none to give, and it is not woken for one.
    await stateUntil('BUSYCAM', (v) => v.state === 'idle' && v.viewers === 0, 'the camera idle');
    const none = await call('latestPicture', 'BUSYCAM');
    assert.deepEqual([none.status, none.body], [422, { code: 'no-recent-picture', message: NO_RECENT_PICTURE_MESSAGE }]);
    const { url } = await stateOf('BUSYCAM');
    const viewer = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '60', '-f', 'null', '-'], { stdio: 'ignore' });
    let picture: CameraPicture;
    try {
      await stateUntil('BUSYCAM', (v) => v.state === 'media' && v.viewers === 1, 'ffmpeg streaming');
      const asked = Date.now();
      const answer = await call('latestPicture', 'BUSYCAM');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      picture = answer.body as CameraPicture;
      assert.ok(picture.takenAt >= asked - 1_000 && picture.takenAt <= Date.now(), `taken at ${picture.takenAt}`);
      const [stream] = await ffprobeJpegDataUrl(picture.dataUrl, join(dataDir, 'latest.jpg'));
      assert.deepEqual([stream?.codec_name, stream?.width, stream?.height], ['mjpeg', 640, 360]);
    } finally {
      viewer.kill('SIGKILL');
    }

    await stateUntil('BUSYCAM', (v) => v.state === 'idle' && v.viewers === 0, 'the session to end after the linger');
    const opened = station.stats.sessionsOpened;
    const idle = await call('latestPicture', 'BUSYCAM');
    assert.equal(idle.status, 200, JSON.stringify(idle.body));
    assert.deepEqual(idle.body, picture, 'the last picture, with the time it was taken');
    assert.equal(station.stats.sessionsOpened, opened, 'the idle camera was not woken');
    assert.equal((await stateOf('BUSYCAM')).state, 'idle');
  });

});
