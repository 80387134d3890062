// Field capture and replay (issue 22): `arlo-rtsp doctor --capture FILE` against the simulated
// base station writes what it said; the simulator replays that file as that base station (its
// answers, its Nonce values, its SDP, its media timing); the product streams from the replay and
// stock ffmpeg decodes the product's URL, with no Nonce violation. The capture holds none of the
// installation's secrets (token, private key, trust cookie, passphrase) nor the account's password,
// e-mail or user id.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCapture, type Capture } from '../../src/main/capture/format.js';
import { parseNonce } from '../../src/main/rtsp/nonce.js';
import type { AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { camerasOfCapture } from '../../src/sim/replay.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { startCloudAndStation } from '../support/cloud-station.js';
import { installationEnv, installationSecrets, openInstallation, signInAndEnroll } from '../support/installation.js';
import { runCli } from '../support/run-cli.js';
import { ffmpegDecode } from '../support/stream-rig.js';

const PASSPHRASE = 'capture passphrase 4410';
let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let dataDir: string;
let service: AppService | undefined;

const account = () => cloud.accounts.email;
const devices = () => cloud.devicesOf(account());
const baseStationId = () => devices().find((d) => d.deviceType === 'basestation')!.deviceId;
/** The H.264-only camera: its stream path is the same whichever codec the product prefers. */
const cameraId = () => devices().find((d) => d.deviceType === 'camera' && d.modelId === 'VMC2030')!.deviceId;
const env = () => installationEnv(PASSPHRASE, cloud);

async function open(): Promise<AppService> {
  service = await openInstallation(dataDir, PASSPHRASE, cloud);
  return service;
}

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ account: 'email' }));
  dataDir = await mkdtemp(join(tmpdir(), 'capture-'));
  const app = await open();
  await signInAndEnroll(app, cloud, station.port);
  await service?.close();
  service = undefined;
});

after(async () => {
  await service?.close();
  await closeSim();
  await rm(dataDir, { recursive: true, force: true });
});

describe('field capture and replay', { timeout: 300_000 }, () => {
  let file: string;
  let capture: Capture;

  it('doctor --capture writes what the base station said, and no secret', async () => {
    file = join(dataDir, 'capture.json');
    const result = await runCli(
      ['--data-dir', dataDir, 'doctor', '--camera', cameraId(), '--play', '3', '--capture', file, '--mdns-interface', '127.0.0.1'],
      env(), undefined, 120_000,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`Capture written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: attach it to your bug report`));
    capture = await readCapture(file);
    assert.equal(capture.camera.deviceId, cameraId());
    assert.equal(capture.baseStation.deviceId, baseStationId());
    const [connection] = capture.connections;
    assert.ok(connection);
    assert.equal(connection.url, `rtsp://127.0.0.1:${station.port}/${cameraId()}/tcp/avc`, 'the URL as sent, host form included');
    assert.equal(connection.tls?.protocol, 'TLSv1.2');
    assert.match(connection.tls?.certificate?.fingerprint256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const methods = connection.messages.filter((m) => m.from === 'client').map((m) => m.head.split(' ')[0]);
    assert.deepEqual(methods.slice(0, 5), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY']);
    assert.equal(methods.at(-1), 'TEARDOWN');
    assert.ok(connection.messages.filter((m) => m.from === 'base-station').every((m) => /^Nonce: \d+\r$/m.test(m.head)), 'every answer with its Nonce');
    assert.match(connection.messages.find((m) => m.body?.startsWith('v=0'))?.body ?? '', /^m=video 0 RTP\/AVP 96/m);
    assert.ok(connection.frames.length > 20, `frames recorded (${connection.frames.length})`);
    assert.ok(connection.frames.every((f) => f.size > 0 && !('payload' in f)));
    assert.ok(connection.frames.some((f) => f.rtp?.nalType === 5 || f.rtp?.nalType === 7), 'a keyframe among the video packets');

    const { account: record } = await (await openDataStore(dataDir, { passphrase: PASSPHRASE })).read();
    assert.ok(record.userId && record.email, 'the account ids to look for are there');
    const planted = [...(await installationSecrets(dataDir, PASSPHRASE)), account().password, record.email, record.userId];
    const text = await readFile(file, 'utf8');
    for (const secret of planted) assert.ok(!text.includes(secret), `the capture must not contain a secret (${secret.slice(0, 4)}…)`);
  });

  it('a capture is written when the base station refuses the stream too: PLAY runs after a failed DESCRIBE step, recording the refusal', async () => {
    // The DESCRIBE step's and the PLAY step's DESCRIBE, each refused for both ways the URL can name
    // this base station (its address, then its model's .local name: rtsp/url-host.ts).
    for (let i = 0; i < 4; i++) station.respondNextWith(404, { method: 'DESCRIBE', reason: 'Not Found' });
    const refusedFile = join(dataDir, 'refused.json');
    const result = await runCli(
      ['--data-dir', dataDir, 'doctor', '--camera', cameraId(), '--capture', refusedFile, '--mdns-interface', '127.0.0.1'],
      env(), undefined, 120_000,
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /FAIL {2}RTSP OPTIONS and DESCRIBE/);
    assert.match(result.stdout, /FAIL {2}PLAY/);
    assert.match(result.stdout, /Capture written to /);
    const refused = await readCapture(refusedFile);
    const answers = refused.connections[0]!.messages.filter((m) => m.from === 'base-station').map((m) => m.head.split('\r\n')[0]);
    assert.deepEqual(answers, ['RTSP/1.0 200 OK', 'RTSP/1.0 404 Not Found']);
    assert.match(refused.outcome ?? '', /404/);
  });

  it('the simulator replays it and ffmpeg plays it through the product, with 0 Nonce violations', async () => {
    assert.ok(capture, 'made by the test before');
    const replay = new SimBaseStation({ ca: cloud.ca, cameras: camerasOfCapture(capture), replay: capture });
    await replay.start();
    try {
      const app = await open();
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', replay.port);
      await app.startCamera(cameraId());
      const view = (await app.getState()).cameras.find((c) => c.deviceId === cameraId());
      assert.ok(view?.url, 'the product serves the camera');
      const decoded = await ffmpegDecode(view.url, { frames: 30, timeoutMs: 30_000 });
      assert.equal(decoded.code, 0, decoded.errors);
      assert.ok(decoded.frames >= 30, `ffmpeg decoded ${decoded.frames} frames`);
      assert.equal(decoded.errors, '', 'no decode error');
      await app.stopCamera(cameraId());
      assert.equal(replay.stats.nonceViolations, 0);

      // The replay answered with the recorded Nonces: the product's n-th request carries the
      // (n-1)-th recorded answer's Nonce + 1, as the doctor's did.
      const recorded = capture.connections[0]!.messages.filter((m) => m.from === 'base-station').map((m) => parseNonce(/^Nonce: (.*)\r$/m.exec(m.head)?.[1]));
      const sent = replay.stats.requests.map((r) => parseNonce(r.nonce));
      assert.deepEqual(sent.slice(1, 5), recorded.slice(0, 4).map((n) => n! + 1n));
      assert.deepEqual(replay.stats.requests.slice(0, 5).map((r) => `${r.method} ${r.status}`), ['OPTIONS 200', 'DESCRIBE 200', 'SETUP 200', 'SETUP 200', 'PLAY 200']);
    } finally {
      await service?.close();
      service = undefined;
      await replay.stop();
    }
  });
});
