// The whole user path through the AppApi service, as the UI drives it: sign-in with MFA, devices,
// address, enrollment, cameras played by stock ffprobe/ffmpeg through the real stream engine over
// mutual TLS to the strict simulated base station, a restart that resumes, the errors a user can
// act on, and a revoked certificate recovered by enrolling again on its own. Only AppApi methods and
// subscribe() are used on the service; the simulators are inspected to check what went on the wire.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppState, CameraView } from '../../src/shared/api.js';
import { AppError } from '../../src/main/errors.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { startCloudAndStation } from '../support/cloud-station.js';
import { ffprobe, run } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
let dataDir: string;
let portBase: number;
let service: AppService | undefined;
/** Every state the service published, newest last. */
let published: AppState[] = [];

const account = () => cloud.accounts.mfa;
const devices = () => cloud.devicesOf(account());
const baseStationId = () => devices().find((d) => d.deviceType === 'basestation')!.deviceId;
const hdCamera = () => devices().find((d) => d.modelId === 'VMC2030')!.deviceId;
const uhdCamera = () => devices().find((d) => d.modelId === 'VMC5040')!.deviceId;

async function open(): Promise<AppService> {
  service = await createAppService({ dataDir, passphrase: 'service test', logger: silentLogger, shell: 'web', discovery: false, overrides: { portBase } });
  published = [];
  service.subscribe((state) => published.push(state));
  return service;
}

function api(): AppService {
  assert.ok(service, 'the service is open');
  return service;
}

function latest(deviceId: string): CameraView | undefined {
  return published.at(-1)?.cameras.find((c) => c.deviceId === deviceId);
}

async function camera(deviceId: string): Promise<CameraView> {
  const view = (await api().getState()).cameras.find((c) => c.deviceId === deviceId);
  assert.ok(view, `camera ${deviceId} is listed`);
  return view;
}

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AppError, `expected AppError ${code}, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.match(error.message, message);
  return error;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** A port the OS just had free; the next few above it are almost surely free too. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ account: 'mfa' }));
  process.env.ARLO_API_URL = cloud.apiUrl;
  process.env.ARLO_AUTH_URL = cloud.authUrl;
  dataDir = await mkdtemp(join(tmpdir(), 'service-flow-'));
  portBase = Math.min(await freePort(), 64_000);
});

after(async () => {
  await service?.close();
  await closeSim();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the app service, end to end', { timeout: 120_000 }, () => {
  it('first run: MFA sign-in, devices, address, enrollment, a camera played and stopped', async () => {
    const app = await open();
    const first = await app.signIn(account().email, account().password);
    assert.equal(first.step, 'choose-factor');
    assert.ok(first.step === 'choose-factor');
    const email = first.factors.find((f) => f.factorType === 'EMAIL');
    assert.ok(email);
    assert.equal((await app.chooseFactor(email.factorId)).step, 'enter-code');
    await waitFor(() => published.at(-1)?.signIn.step === 'enter-code', 2000, 'the state to show enter-code');
    const code = cloud.lastCode(account().email);
    assert.ok(code);
    assert.deepEqual(await app.submitMfaCode(code), { step: 'signed-in' });
    await waitFor(() => published.at(-1)?.account.signedIn === true, 2000, 'the state to show signed in');
    assert.equal(published.at(-1)?.account.email, account().email);

    await app.refreshDevices();
    const listed = await app.getState();
    assert.deepEqual(listed.baseStations.map((b) => [b.deviceId, b.name, b.model, b.enrolled]), [[baseStationId(), 'Home base', 'VMB5000', false]]);
    const cameras = Object.fromEntries(listed.cameras.map((c) => [c.deviceId, c]));
    assert.equal(cameras[uhdCamera()]?.name, 'Driveway 4K');
    assert.deepEqual(cameras[uhdCamera()]?.codecs, ['avc', 'hevc']);
    assert.equal(cameras[hdCamera()]?.name, 'Back door');
    assert.deepEqual(cameras[hdCamera()]?.codecs, ['avc']);
    assert.deepEqual(listed.cameras.map((c) => c.port).sort(), [portBase, portBase + 1]);
    assert.ok(listed.cameras.every((c) => c.state === 'idle' && !c.running));

    await app.setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);
    await rejects(app.startCamera(hdCamera()), 'not-enrolled', /Home base has no valid certificate yet: enroll it first/);
    const outcomes = await app.enroll();
    assert.deepEqual(outcomes.map((o) => [o.baseStationId, o.result]), [[baseStationId(), 'enrolled']], outcomes[0]?.message);
    assert.equal(cloud.issued.length, 1);
    assert.equal((await app.enroll())[0]?.result, 'already-enrolled');
    assert.equal(cloud.issued.length, 1, 'no second certificate');
    const enrolled = (await app.getState()).baseStations[0];
    assert.equal(enrolled?.enrolled, true);
    assert.deepEqual([enrolled?.host, enrolled?.port, enrolled?.addressSource], ['127.0.0.1', station.port, 'typed']);

    const id = hdCamera();
    await app.startCamera(id);
    await waitFor(() => latest(id)?.running === true, 3000, 'the state stream to show the camera running');
    const { url, port } = await camera(id);
    assert.equal(url, `rtsp://127.0.0.1:${port}/${id}`);

    const streams = await ffprobe(url);
    assert.deepEqual(streams.map((s) => [s.codec_type, s.codec_name]), [['video', 'h264'], ['audio', 'aac']]);

    const before = { bytesIn: latest(id)?.bytesIn ?? 0, bytesOut: latest(id)?.bytesOut ?? 0 };
    const seen: CameraView[] = [];
    const unsubscribe = app.subscribe((state) => {
      const view = state.cameras.find((c) => c.deviceId === id);
      if (view) seen.push(view);
    });
    const reading = run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '4', '-f', 'null', '-'], 15_000);
    await waitFor(() => seen.filter((v) => v.state === 'media' && v.viewers === 1).length >= 3, 8000, 'published states with media and one viewer');
    const result = await reading;
    unsubscribe();
    assert.equal(result.code, 0, result.stderr);
    const playing = seen.filter((v) => v.state === 'media' && v.viewers === 1);
    const [firstPlaying, lastPlaying] = [playing[0]!, playing.at(-1)!];
    assert.ok(lastPlaying.bytesIn > firstPlaying.bytesIn, 'bytesIn rises while ffmpeg reads');
    assert.ok(lastPlaying.bytesOut > firstPlaying.bytesOut, 'bytesOut rises while ffmpeg reads');
    assert.ok(lastPlaying.bytesOut > before.bytesOut);

    const teardowns = station.stats.teardownsWithValidNonce;
    await app.stopCamera(id);
    assert.equal(await listening(port), false, 'the camera port is closed');
    const stopped = await camera(id);
    assert.deepEqual([stopped.running, stopped.state, stopped.viewers], [false, 'idle', 0]);
    await waitFor(() => station.stats.teardownsWithValidNonce > teardowns, 3000, 'a TEARDOWN with a valid Nonce');
    await waitFor(() => latest(id)?.running === false, 3000, 'the state stream to show the camera stopped');
    assert.equal(station.stats.nonceViolations, 0);
  });

  it('restart: a camera left running resumes on the same port', async () => {
    const id = uhdCamera();
    await api().startCamera(id);
    const { port } = await camera(id);
    assert.equal(await listening(port), true);
    await api().close();
    service = undefined;
    assert.equal(await listening(port), false, 'close() closes the port');

    const app = await open();
    const resumed = await camera(id);
    assert.deepEqual([resumed.running, resumed.port], [true, port]);
    assert.equal((await camera(hdCamera())).running, false, 'a stopped camera stays stopped');
    const streams = await ffprobe(resumed.url);
    assert.deepEqual(streams.map((s) => s.codec_name), ['h264', 'aac']);
    await app.stopCamera(id);
    assert.equal(station.stats.nonceViolations, 0);
  });

  it('errors a user can act on, with nothing stored lost', async () => {
    const app = api();
    const id = hdCamera();
    const stored = await app.getState();

    await rejects(app.setCameraCodec(id, 'hevc'), 'codec-not-offered', /Back door does not offer HEVC/);
    await rejects(app.openInPlayer(id), 'not-available', /desktop app.*copy the URL/);

    await app.setBaseStationAddress(baseStationId(), null);
    await rejects(app.startCamera(id), 'no-address', /address of Home base is unknown: type it in/);
    await app.setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);

    await app.updateSettings({ listenAddress: '0.0.0.0' });
    await rejects(app.startCamera(id), 'lan-credentials-missing', /username and password.*Settings/);
    assert.equal(await listening((await camera(id)).port), false);
    await rejects(app.updateSettings({ lanUsername: 'viewer', lanPassword: 'short pass' }), 'invalid-setting', /at least 12 characters/);
    assert.equal((await app.getState()).settings.lanPasswordSet, false);
    const settings = await app.updateSettings({ lanUsername: 'viewer', lanPassword: 'p@ss word 1234' });
    assert.deepEqual([settings.listenAddress, settings.lanUsername, settings.lanPasswordSet], ['0.0.0.0', 'viewer', true]);
    await app.startCamera(id);
    const { url, port } = await camera(id);
    // State shows the username only; the URL to paste, password included, is asked for.
    assert.deepEqual([new URL(url).username, new URL(url).password], ['viewer', '']);
    assert.ok(!JSON.stringify(await app.getState()).includes('p@ss word 1234'), 'no password in the state');
    const parsed = new URL(await app.viewerUrl(id));
    assert.deepEqual([decodeURIComponent(parsed.username), decodeURIComponent(parsed.password), parsed.port], ['viewer', 'p@ss word 1234', String(port)]);
    parsed.hostname = '127.0.0.1';
    assert.deepEqual((await ffprobe(parsed.href)).map((s) => s.codec_name), ['h264', 'aac']);
    parsed.password = 'wrong';
    await assert.rejects(ffprobe(parsed.href), /401|Unauthorized/);

    // Back to loopback while running: the camera moves, its URL drops the credentials.
    await app.updateSettings({ listenAddress: '127.0.0.1' });
    const local = await camera(id);
    assert.deepEqual([local.running, local.port, local.url], [true, port, `rtsp://127.0.0.1:${port}/${id}`]);
    assert.deepEqual((await ffprobe(local.url)).map((s) => s.codec_name), ['h264', 'aac']);
    // Serving the LAN without a password while a camera runs is refused whole: nothing changes.
    await rejects(app.updateSettings({ listenAddress: '0.0.0.0', lanPassword: '' }), 'lan-credentials-missing', /username and password/);
    const kept = (await app.getState()).settings;
    assert.deepEqual([kept.listenAddress, kept.lanUsername, kept.lanPasswordSet], ['127.0.0.1', 'viewer', true]);
    assert.equal((await camera(id)).url, local.url);
    await app.stopCamera(id);

    // The 4K camera still plays its other codec.
    await app.setCameraCodec(uhdCamera(), 'hevc');
    await app.startCamera(uhdCamera());
    assert.deepEqual((await ffprobe((await camera(uhdCamera())).url)).map((s) => s.codec_name), ['hevc', 'aac']);
    await app.stopCamera(uhdCamera());

    const after = await app.getState();
    assert.deepEqual(after.account, stored.account, 'still signed in');
    assert.deepEqual(after.baseStations, stored.baseStations, 'address and certificate kept');
    assert.deepEqual(after.cameras.map((c) => [c.deviceId, c.port]), stored.cameras.map((c) => [c.deviceId, c.port]), 'ports kept');
    assert.equal(station.stats.nonceViolations, 0);
  });

  it('a revoked certificate with a valid sign-in: enrolled again automatically, once, and the camera plays again', async () => {
    const app = api();
    const id = hdCamera();
    // No linger: the next viewer needs a new upstream session, which the revoked certificate cannot open.
    await app.updateSettings({ lingerSeconds: 0 });
    await app.startCamera(id);
    assert.deepEqual((await ffprobe((await camera(id)).url)).map((s) => s.codec_name), ['h264', 'aac']);
    const issuedBefore = cloud.issued.length;
    cloud.ca.revoke(cloud.issued.at(-1)!.serial);

    await assert.rejects(ffprobe((await camera(id)).url), 'the first viewer meets the refusal');
    await waitFor(() => /enrolled again on its own/.test(published.at(-1)?.baseStations[0]?.notice ?? ''), 10_000, 'the notice of the automatic re-enrollment');
    assert.equal(cloud.issued.length, issuedBefore + 1, 'one new certificate');
    const recovered = await app.getState();
    assert.equal(recovered.baseStations[0]?.enrolled, true);
    assert.equal(recovered.cameras.find((c) => c.deviceId === id)?.running, true, 'the camera was restarted, not stopped');
    assert.deepEqual((await ffprobe((await camera(id)).url)).map((s) => s.codec_name), ['h264', 'aac'], 'plays again without the user');

    // The new certificate refused too: no loop; the user is told to enroll.
    cloud.ca.revoke(cloud.issued.at(-1)!.serial);
    await assert.rejects(ffprobe((await camera(id)).url));
    await waitFor(() => published.at(-1)?.baseStations[0]?.enrolled === false, 5000, 'the base station shown not enrolled');
    assert.match(published.at(-1)?.baseStations[0]?.error ?? '', /enroll again/);
    assert.equal(cloud.issued.length, issuedBefore + 1, 'not enrolled again automatically');
    await app.stopCamera(id);
    await rejects(app.startCamera(id), 'not-enrolled', /has no valid certificate yet: enroll it first/);

    const outcomes = await app.enroll();
    assert.equal(outcomes[0]?.result, 'enrolled', outcomes[0]?.message);
    await app.startCamera(id);
    assert.deepEqual((await ffprobe((await camera(id)).url)).map((s) => s.codec_name), ['h264', 'aac']);
    await app.stopCamera(id);
    assert.ok(station.stats.tlsRejected > 0);
    assert.equal(station.stats.nonceViolations, 0);
  });
});
