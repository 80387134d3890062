// `doctor` against the simulators: every step passes (in the service, as the UI's Diagnose runs it,
// and as `arlo-rtsp doctor` with --play and --report); a wrong address fails at the TCP step with
// the fix in words and exit code 1; a redirect at DESCRIBE is shown, not failed; a base station that
// wants its host name in URLs is shown with the form used and the one refused; another key where a
// pinned base station was fails at TLS with the mismatch and the forget-pin advice; a revoked
// certificate fails at TLS with "enroll again"; a camera this app streams already is measured on
// that session (in the service) or left to the running `serve` (as a command), never a second
// session refused as "another app"; the report holds none of the secrets this
// installation keeps (token, private key, LAN password, trust cookie, passphrase) nor the account
// password.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnosis } from '../../src/shared/api.js';
import type { AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import type { SimQuirks } from '../../src/sim/quirks.js';
import { stationCamerasOf, type SimCloud } from '../../src/sim/cloud/index.js';
import { startCloudAndStation } from '../support/cloud-station.js';
import { installationEnv, installationSecrets, openInstallation, signInAndEnroll } from '../support/installation.js';
import { runCli, startCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';

const PASSPHRASE = 'doctor passphrase 7731';
const LAN_PASSWORD = 'planted-lan-password-5519';
let cloud: SimCloud;
let station: SimBaseStation;
let identity: { certPem: string; keyPem: string };
let closeSim: () => Promise<void>;
let dataDir: string;
let service: AppService | undefined;

const account = () => cloud.accounts.email;
const baseStationId = () => cloud.devicesOf(account()).find((d) => d.deviceType === 'basestation')!.deviceId;
const env = () => installationEnv(PASSPHRASE, cloud);

async function open(): Promise<AppService> {
  service = await openInstallation(dataDir, PASSPHRASE, cloud);
  return service;
}

async function closeService(): Promise<void> {
  await service?.close();
  service = undefined;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A player of `url` for up to a minute (killed by the caller): one viewer that holds the camera's session. */
function viewer(url: string): ChildProcess {
  return spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '60', '-f', 'null', '-'], { stdio: 'ignore' });
}

/** Polls `check` (which may ask over HTTP) every 100 ms until it holds. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  let held = false;
  const deadline = Date.now() + timeoutMs;
  while (!held && Date.now() < deadline) {
    held = await check();
    if (!held) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!held) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The camera a diagnosis picks by default (the base station's first that streams locally). */
const firstCamera = async (app: AppService) => ({ deviceId: (await app.diagnose({ baseStationId: baseStationId() })).cameraId! });

function summary(diagnosis: Diagnosis): string {
  return diagnosis.steps.map((s) => `${s.status} ${s.name}: ${s.detail} ${s.fix ?? ''}`).join('\n');
}

let loopbackMulticast: string | undefined;
try {
  execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on'], { stdio: 'pipe' });
} catch (error) {
  loopbackMulticast = `skipped: cannot enable multicast on lo (${(error as Error).message.split('\n')[0]})`;
}

before(async () => {
  identity = await createSelfSignedServerCertificate('arlo-basestation.local');
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ account: 'email', identity }));
  dataDir = await mkdtemp(join(tmpdir(), 'doctor-'));
  const app = await open();
  await signInAndEnroll(app, cloud, station.port);
  await app.updateSettings({ lanUsername: 'viewer', lanPassword: LAN_PASSWORD });
});

after(async () => {
  await closeService();
  await closeSim();
  await rm(dataDir, { recursive: true, force: true });
});

describe('doctor', { timeout: 300_000 }, () => {
  it('passes every step against the simulators, PLAY measured (Diagnose in the service)', async () => {
    const app = service ?? (await open());
    const diagnosis = await app.diagnose({ baseStationId: baseStationId(), playSeconds: 3 });
    assert.equal(diagnosis.passed, true, summary(diagnosis));
    assert.deepEqual(diagnosis.steps.map((s) => s.status), diagnosis.steps.map(() => 'pass'), summary(diagnosis));
    assert.deepEqual(diagnosis.steps.map((s) => s.name), [
      'Data directory and secrets', 'Arlo sign-in', 'Device list', 'Camera capability', 'Client certificate',
      'Base station address', 'mDNS browse', 'TCP connect', 'TLS handshake', 'RTSP OPTIONS and DESCRIBE', 'PLAY',
    ]);
    const step = (name: string) => diagnosis.steps.find((s) => s.name === name)?.detail ?? '';
    assert.match(step('TLS handshake'), /TLSv1\.2, .+; base station certificate SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(step('RTSP OPTIONS and DESCRIBE'), /OPTIONS \(Nonce 0\) → 200 OK \(Nonce \d+\)/);
    assert.match(step('RTSP OPTIONS and DESCRIBE'), /Public: .*DESCRIBE/);
    assert.match(step('RTSP OPTIONS and DESCRIBE'), /^m=video /m);
    assert.match(step('PLAY'), /^H\.264 640x360, 1[45]\.\d fps, keyframe every \d\.\d s, \d+\.\d\d Mbit\/s/);
    assert.match(step('PLAY'), /first video \d+\.\d s after PLAY's answer/);
    assert.ok(diagnosis.steps.every((s) => s.durationMs >= 0));
    assert.equal(station.stats.nonceViolations, 0);
  });

  it("measures PLAY on this app's own session when it streams the camera: no second session, no \"another app\" (Diagnose in the service)", async () => {
    const app = service ?? (await open());
    const { deviceId: cameraId } = await firstCamera(app);
    await app.startCamera(cameraId);
    let latest = await app.getState();
    const unsubscribe = app.subscribe((state) => (latest = state));
    const player = viewer(latest.cameras.find((c) => c.deviceId === cameraId)!.url);
    try {
      await waitFor(() => latest.cameras.some((c) => c.deviceId === cameraId && c.state === 'media' && c.viewers === 1), 90_000, 'ffmpeg to stream the camera');
      const opened = station.stats.sessionsOpened;
      const diagnosis = await app.diagnose({ baseStationId: baseStationId(), cameraId, playSeconds: 2 });
      assert.equal(diagnosis.passed, true, summary(diagnosis));
      const play = diagnosis.steps.find((s) => s.name === 'PLAY');
      assert.equal(play?.status, 'pass', summary(diagnosis));
      assert.match(play?.detail ?? '', /^measured on this app's own session of the camera, which 1 other viewer\(s\) watch \(the base station allows one per camera\): H\.26[45] \d+x\d+, \d+\.\d fps, /);
      assert.doesNotMatch(summary(diagnosis), /another app/);
      assert.equal(station.stats.sessionsOpened, opened, 'no second session was opened');
      assert.equal(latest.cameras.find((c) => c.deviceId === cameraId)?.state, 'media', 'the stream went on');
    } finally {
      player.kill('SIGKILL');
      unsubscribe();
      await app.stopCamera(cameraId);
    }
  });

  it('as a command while serve runs on the data dir: says that server streams the camera, opens no second session', { skip: loopbackMulticast }, async () => {
    const { deviceId: cameraId } = await firstCamera(service ?? (await open()));
    await closeService();
    const serve = startCli(['--data-dir', dataDir, 'serve', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], env());
    let player: ChildProcess | undefined;
    try {
      const printedUrl = new RegExp(`\\(${cameraId}\\): (rtsp://\\S+)`);
      await waitFor(() => printedUrl.test(serve.output()) && /^state: http/m.test(serve.output()), 90_000, `serve to start; output: ${serve.output()}`);
      player = viewer(printedUrl.exec(serve.output())![1]!);
      const stateUrl = /^state: (http:\/\/\S+)/m.exec(serve.output())![1]!;
      await until(async () => {
        const state = (await (await fetch(stateUrl)).json()) as { cameras: { deviceId: string; state: string; viewers: number }[] };
        return state.cameras.some((c) => c.deviceId === cameraId && c.state === 'media' && c.viewers === 1);
      }, 90_000, 'ffmpeg to stream the camera through serve');
      const opened = station.stats.sessionsOpened;
      const result = await runCli(['--data-dir', dataDir, 'doctor', '--camera', cameraId, '--play', '1', '--mdns-interface', '127.0.0.1'], env(), undefined, 120_000);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^arlo-rtsp serve \(process \d+, web UI http:\/\/127\.0\.0\.1:\d+\) on this data dir runs: a camera it streams is not played a second time here\./m);
      assert.match(result.stdout, /SKIP {2}PLAY/);
      assert.match(result.stdout, /Why: arlo-rtsp serve \(process \d+, .+\) on this data dir streams this camera now \(1 viewer\(s\)\), and the base station allows one session per camera/);
      assert.doesNotMatch(result.stdout, /another app is streaming/);
      assert.equal(station.stats.sessionsOpened, opened, 'no second session was opened');
    } finally {
      player?.kill('SIGKILL');
      serve.child.kill('SIGINT');
      await serve.exited;
    }
  });

  it('fails at TCP with the fix in words on a wrong address', async () => {
    const app = service ?? (await open());
    const port = await closedPort();
    await app.setBaseStationAddress(baseStationId(), '127.0.0.1', port);
    try {
      const diagnosis = await app.diagnose({ baseStationId: baseStationId() });
      assert.equal(diagnosis.passed, false);
      const tcp = diagnosis.steps.find((s) => s.name === 'TCP connect');
      assert.equal(tcp?.status, 'fail', summary(diagnosis));
      assert.match(tcp?.fix ?? '', new RegExp(`Nothing accepted a connection at 127\\.0\\.0\\.1:${port}: check the address`));
      assert.deepEqual(diagnosis.steps.filter((s) => s.status === 'fail').map((s) => s.name), ['TCP connect'], 'only TCP fails');
      assert.equal(diagnosis.steps.find((s) => s.name === 'TLS handshake')?.status, 'skip');
    } finally {
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);
    }
  });

  it('as a command: exit 0 when all pass, a report without secrets; exit 1 and the TCP fix on a wrong address', { skip: loopbackMulticast }, async () => {
    await closeService();
    const report = join(dataDir, 'report');
    // Generous: a command started through tsx on a loaded machine takes a while before the steps run.
    const passed = await runCli(['--data-dir', dataDir, 'doctor', '--play', '1', '--report', report, '--mdns-interface', '127.0.0.1'], env(), undefined, 120_000);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /PASS {2}TLS handshake/);
    assert.match(passed.stdout, /Result: every step passed\./);

    const planted = [...(await installationSecrets(dataDir, PASSPHRASE)), LAN_PASSWORD, account().password];
    for (const file of [`${report}.json`, `${report}.txt`]) {
      const text = await readFile(file, 'utf8');
      assert.match(text, /TLS handshake/, `${file} holds the steps`);
      for (const secret of planted) assert.ok(!text.includes(secret), `${file} must not contain a secret (${secret.slice(0, 4)}…)`);
    }
    const json = JSON.parse(await readFile(`${report}.json`, 'utf8')) as { diagnoses: Diagnosis[] };
    assert.equal(json.diagnoses[0]?.passed, true);

    const app = await open();
    const port = await closedPort();
    await app.setBaseStationAddress(baseStationId(), '127.0.0.1', port);
    await closeService();
    const failed = await runCli(['--data-dir', dataDir, 'doctor', '--mdns-interface', '127.0.0.1'], env(), undefined, 120_000);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /FAIL {2}TCP connect/);
    assert.match(failed.stdout, new RegExp(`Fix: Nothing accepted a connection at 127\\.0\\.0\\.1:${port}: check the address`));
    await (await open()).setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);
  });

  /**
   * Diagnose (PLAY for 1 s) against another base station of the same identity shaped by `quirks`,
   * passing; answers the RTSP step's detail and that base station. The address goes back after.
   */
  async function diagnosedPassing(quirks: SimQuirks): Promise<{ describe: string; other: SimBaseStation }> {
    const app = service ?? (await open());
    const other = new SimBaseStation({ ca: cloud.ca, cameras: stationCamerasOf(account()), identity, quirks });
    await other.start();
    try {
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', other.port);
      const diagnosis = await app.diagnose({ baseStationId: baseStationId(), playSeconds: 1 });
      assert.equal(diagnosis.passed, true, summary(diagnosis));
      return { describe: diagnosis.steps.find((s) => s.name === 'RTSP OPTIONS and DESCRIBE')?.detail ?? '', other };
    } finally {
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);
      await other.stop();
    }
  }

  it('passes a base station that redirects DESCRIBE to itself elsewhere, showing the Location; PLAY plays there', async () => {
    const { describe } = await diagnosedPassing({ redirect: { status: 302, to: `rtsp://127.0.0.1:${station.port}` } });
    assert.match(describe, /DESCRIBE \(Nonce \d+\) → 302 /);
    assert.match(describe, new RegExp(`Location: rtsp://127\\.0\\.0\\.1:${station.port}/`));
  });

  it('shows how the URL named a base station that wants its host name, and the form it refused; PLAY plays so', async () => {
    const { describe, other } = await diagnosedPassing({ urlHost: { wants: 'name', name: 'VMB5000.local' } });
    assert.match(describe, /^URL rtsp:\/\/VMB5000\.local\/\S+ \(naming its model name\); refused before: 127\.0\.0\.1:\d+ \(its address\) → 404$/m);
    assert.match(describe, /DESCRIBE \(Nonce \d+\) → 200 /);
    assert.equal(other.stats.nonceViolations, 0);
  });

  it('fails at TLS when another key answers where a pinned base station was: the mismatch as the detail, the advice once as the fix', async () => {
    await closeService();
    const pinned = new X509Certificate(identity.certPem);
    const keyDigest = createHash('sha256').update(pinned.publicKey.export({ type: 'spki', format: 'der' })).digest('hex').toUpperCase();
    const store = await openDataStore(dataDir, { passphrase: PASSPHRASE });
    await store.update((data) => {
      const record = data.baseStations.find((b) => b.deviceId === baseStationId())!;
      record.pinnedFingerprint = pinned.fingerprint256;
      record.pinnedKey = keyDigest.replace(/(..)(?!$)/g, '$1:');
    });
    const app = await open();
    const stranger = new SimBaseStation({
      ca: cloud.ca, cameras: stationCamerasOf(account()), identity: await createSelfSignedServerCertificate('arlo-basestation.local'),
    });
    await stranger.start();
    try {
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', stranger.port);
      const diagnosis = await app.diagnose({ baseStationId: baseStationId() });
      const tls = diagnosis.steps.find((s) => s.name === 'TLS handshake');
      assert.equal(tls?.status, 'fail', summary(diagnosis));
      assert.match(tls?.detail ?? '', /presented a different key than the one pinned/);
      assert.doesNotMatch(tls?.detail ?? '', /Forget pinned certificate/, 'the advice is the fix, not repeated in the detail');
      assert.match(tls?.fix ?? '', /"Forget pinned certificate" on the Base stations page/);
      assert.equal(diagnosis.steps.find((s) => s.name === 'RTSP OPTIONS and DESCRIBE')?.status, 'skip');
      assert.equal(stranger.stats.requests.length, 0, 'no RTSP request reaches the stranger');
    } finally {
      await app.setBaseStationAddress(baseStationId(), '127.0.0.1', station.port);
      await stranger.stop();
    }
  });

  it('fails at TLS with "enroll again" for a revoked certificate', async () => {
    const app = service ?? (await open());
    cloud.ca.revoke(cloud.issued.at(-1)!.serial);
    const diagnosis = await app.diagnose({ baseStationId: baseStationId() });
    const tls = diagnosis.steps.find((s) => s.name === 'TLS handshake');
    assert.equal(tls?.status, 'fail', summary(diagnosis));
    assert.match(tls?.fix ?? '', /enroll again/);
    assert.equal(diagnosis.steps.find((s) => s.name === 'Client certificate')?.status, 'pass', 'the stored certificate itself looks fine');
    assert.equal(diagnosis.steps.find((s) => s.name === 'RTSP OPTIONS and DESCRIBE')?.status, 'skip');
  });
});
