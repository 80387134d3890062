// `arlo-rtsp serve --onvif` as recorders see it, through two independent ONVIF clients: the `onvif`
// npm package (the client Scrypted's ONVIF plugin uses) and libonvif's onvif-util. WS-Discovery
// multicasts to 239.255.255.250:3702 whatever the client, so everything runs in a network namespace
// of its own whose only interface is loopback (multicast on, two extra addresses as "LAN"
// addresses): this file runs itself again inside one, and nothing leaves it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import onvif from 'onvif/promises/index.js';
import { credentialsInUrl } from '../../src/main/rtsp/auth.js';
import { enrolledStation, ENROLLED_PASSPHRASE, type EnrolledStation } from '../support/enrolled-station.js';
import { startCli, type RunningCli } from '../support/run-cli.js';
import { ffprobe, ffprobeFile } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const IN_NAMESPACE = process.env.ARLO_ONVIF_NETNS === '1';
const FILE = new URL(import.meta.url).pathname;
/** The namespace's "LAN": two addresses on loopback besides 127.0.0.1 (onvif-util skips 127.0.0.1). */
const LAN = '10.99.0.1';
const OWN = '10.99.0.2';
const NAMESPACE_SETUP = [
  'ip link set lo up', 'ip link set lo multicast on', 'ip route add 224.0.0.0/4 dev lo',
  `ip addr add ${LAN}/24 dev lo`, `ip addr add ${OWN}/24 dev lo`,
].join(' && ');
const VIEWER = { username: 'viewer', password: 'correct horse battery' };
const CAMERAS = [
  // Mains-powered, so its snapshot URI may wake it.
  { deviceId: 'CAM1', name: 'Porch', model: 'VMC4041P', codec: 'avc' as const, battery: false },
  { deviceId: 'CAM2', name: 'Garden', model: 'VMC5040', codec: 'hevc' as const },
];

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProgram(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A child may exit before reading its input (`unshare -n true` at once): that is its exit
    // code's to report, not an EPIPE thrown at the test.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

function unavailable(): string | undefined {
  const onPath = (tool: string) => (process.env.PATH ?? '').split(':').some((dir) => existsSync(`${dir}/${tool}`));
  const missing = ['onvif-util', 'ffprobe', 'unshare', 'ip'].filter((tool) => !onPath(tool));
  return missing.length > 0 ? `skipped: needs ${missing.join(', ')} (Debian: onvif-tools, ffmpeg, util-linux, iproute2)` : undefined;
}

if (!IN_NAMESPACE) {
  describe('ONVIF with independent clients', () => {
    it('passes in a network namespace of its own (loopback only)', { timeout: 175_000 }, async (t) => {
      const skip = unavailable() ?? ((await runProgram('unshare', ['-n', 'true'])).code === 0 ? undefined : 'skipped: cannot make a network namespace (needs root)');
      if (skip) return t.skip(skip);
      // The inner run is a test run of its own: it must not talk to this runner's protocol.
      const env: NodeJS.ProcessEnv = { ...process.env, ARLO_ONVIF_NETNS: '1' };
      delete env.NODE_TEST_CONTEXT;
      const inner = await runProgram('unshare', [
        '-n', 'sh', '-c', `${NAMESPACE_SETUP} && exec "$0" --import tsx --test --test-reporter=spec "$1"`, process.execPath, FILE,
      ], { env, timeoutMs: 170_000 });
      assert.equal(inner.code, 0, `the tests in the namespace failed:\n${inner.stdout}\n${inner.stderr}`);
      const count = (name: string) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(inner.stdout)?.[1]);
      assert.ok(count('pass') > 0 && count('fail') === 0, inner.stdout);
      t.diagnostic(`in the namespace: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
    });
  });
} else {
  const { Cam, Discovery } = onvif;
  type OnvifCam = InstanceType<typeof Cam>;
  /** The package's typings drop the options argument of these two (its code takes it). */
  type WithOptions = (options: object) => Promise<{ uri: string }>;
  const streamUri = async (cam: OnvifCam, profileToken: string) => (await (cam.getStreamUri as unknown as WithOptions)({ protocol: 'RTSP', profileToken })).uri;
  const snapshotUri = async (cam: OnvifCam, profileToken: string) => (await (cam.getSnapshotUri as unknown as WithOptions)({ profileToken })).uri;

  /** WS-Discovery messages multicast to the group, as a listener on the "LAN" sees them. */
  async function listenToGroup(): Promise<{ messages: string[]; close(): Promise<void> }> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const messages: string[] = [];
    socket.on('message', (message) => messages.push(message.toString('utf8')));
    await new Promise<void>((resolve) => socket.bind(3702, () => resolve()));
    socket.addMembership('239.255.255.250', LAN);
    return { messages, close: () => new Promise((resolve) => socket.close(() => resolve())) };
  }

  function soap(body: string, header = ''): string {
    return `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
  }

  /** A UsernameToken made as the OASIS profile says, independently of the server's code. */
  function usernameToken(password: string, created = new Date().toISOString(), nonce = randomBytes(16)): string {
    const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64');
    return '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>'
      + `<Username>${VIEWER.username}</Username>`
      + `<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>`
      + `<Nonce>${nonce.toString('base64')}</Nonce>`
      + `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>`
      + '</UsernameToken></Security>';
  }

  async function post(url: string, xml: string): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' }, body: xml });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** An RFC 7616 Digest answer (MD5, qop=auth) to `challenge`, made here, not by the server's code. */
  function digestAnswer(challenge: string, method: string, uri: string, nc: number): string {
    const param = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(challenge)![1]!;
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const cnonce = 'feedc0de';
    const count = nc.toString(16).padStart(8, '0');
    const response = md5(`${md5(`${VIEWER.username}:${param('realm')}:${VIEWER.password}`)}:${param('nonce')}:${count}:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
    return `Digest username="${VIEWER.username}", realm="${param('realm')}", nonce="${param('nonce')}", uri="${uri}", qop=auth, nc=${count}, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
  }

  async function startServe(rig: EnrolledStation, extra: string[]): Promise<RunningCli> {
    const cli = startCli(['--data-dir', rig.dataDir, 'serve', '--basestation', rig.address, '--onvif', '--http', '127.0.0.1:0', ...extra], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE });
    await waitFor(() => /^web UI: /m.test(cli.output()), 90_000, `serve to start; output: ${cli.output()}`);
    return cli;
  }

  const DEVICE = `http://${LAN}:9056/onvif/device_service`;
  const MEDIA = `http://${LAN}:9056/onvif/media_service`;

  describe('serve --onvif on the LAN, one camera on an address of its own', () => {
    let rig: EnrolledStation;
    let cli: RunningCli;
    let group: Awaited<ReturnType<typeof listenToGroup>>;

    before(async () => {
      rig = await enrolledStation(VIEWER, {}, CAMERAS);
      group = await listenToGroup();
      cli = await startServe(rig, ['--onvif-address', `CAM2=${OWN}`]);
    });
    after(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await group.close();
      await rig.close();
    });

    it('prints each camera\'s ONVIF address and announces each with Hello', async () => {
      assert.match(cli.output(), /Porch ONVIF: http:\/\/\S+:9056\/onvif\/device_service/);
      assert.match(cli.output(), new RegExp(`Garden ONVIF: http://${OWN.replaceAll('.', '\\.')}:9057/onvif/device_service`));
      const hellos = () => group.messages.filter((m) => m.includes('/discovery/Hello'));
      const endpoints = () => new Set(hellos().map((m) => /<wsa:Address>([^<]+)<\/wsa:Address>/.exec(m)![1]));
      // Each camera a device of its own.
      await waitFor(() => endpoints().size === 2, 10_000, `a Hello from each camera; seen: ${[...endpoints()].join(', ')}`);
      assert.ok(hellos().some((m) => m.includes(`http://${OWN}:9057/onvif/device_service`)));
    });

    it('the onvif package discovers each camera by a Probe', { timeout: 20_000 }, async () => {
      // The package keeps one camera per endpoint address: two found are two devices.
      const found = await Discovery.probe({ timeout: 3000 }) as { hostname: string; port: number }[];
      const places = found.map((c) => `${c.hostname}:${c.port}`).sort();
      assert.equal(found.length, 2, `found: ${places.join(', ')}`);
      assert.ok(places.includes(`${OWN}:9057`), places.join(', '));
      assert.ok(places.some((p) => p.endsWith(':9056')), places.join(', '));
    });

    it('onvif-util finds each camera by a Probe', { timeout: 30_000 }, async () => {
      const { stdout } = await runProgram('onvif-util', ['-a']);
      assert.match(stdout, /Found 2 cameras/);
      assert.match(stdout, new RegExp(`${LAN.replaceAll('.', '\\.')} \\(Porch VMC4041P\\)`));
      assert.match(stdout, new RegExp(`${OWN.replaceAll('.', '\\.')} \\(Garden VMC5040\\)`));
    });

    it('the onvif package signs in with the viewer credentials: device information and main + sub H.264 profiles', { timeout: 20_000 }, async () => {
      const cam = new Cam({ hostname: LAN, port: 9056, ...VIEWER, autoconnect: false });
      await cam.connect();
      const information = await cam.getDeviceInformation() as { manufacturer: string; serialNumber: string; model: string };
      assert.equal(information.serialNumber, 'CAM1');
      assert.equal(information.model, 'VMC4041P');
      const profiles = await cam.getProfiles() as {
        $: { token: string };
        videoSourceConfiguration: { sourceToken: string };
        videoEncoderConfiguration: { encoding: string; resolution: { width: number; height: number }; rateControl: { frameRateLimit: number; bitrateLimit: number } };
      }[];
      assert.deepEqual(profiles.map((p) => p.$.token), ['main', 'sub']);
      const [main, sub] = profiles.map((p) => p.videoEncoderConfiguration);
      for (const encoder of [main!, sub!]) {
        assert.equal(encoder.encoding, 'H264');
        assert.ok(encoder.resolution.width > 0 && encoder.resolution.height > 0);
        assert.ok(encoder.rateControl.frameRateLimit > 0 && encoder.rateControl.bitrateLimit > 0);
      }
      assert.equal(profiles[0]!.videoSourceConfiguration.sourceToken, profiles[1]!.videoSourceConfiguration.sourceToken, 'one camera, one video source');
      assert.ok(sub!.resolution.width <= 704, `sub is ${sub!.resolution.width} wide`);
      assert.ok(Math.abs(sub!.resolution.width / sub!.resolution.height - main!.resolution.width / main!.resolution.height) < 0.02, 'sub keeps the aspect');
    });

    it('each stream URI plays in ffprobe with the credentials: main, and sub at the size its profile announces', { timeout: 90_000 }, async () => {
      const cam = new Cam({ hostname: LAN, port: 9056, ...VIEWER, autoconnect: false });
      await cam.connect();
      const main = await streamUri(cam, 'main');
      const sub = await streamUri(cam, 'sub');
      assert.equal(main, `rtsp://${LAN}:8556/CAM1`);
      assert.equal(sub, `rtsp://${LAN}:8556/CAM1/sub`);
      const streams = await ffprobe(credentialsInUrl(main, VIEWER.username, VIEWER.password));
      assert.equal(streams.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
      // Without the credentials the same URI is refused: they are the viewer's.
      await assert.rejects(ffprobe(main), /401|Unauthorized/i);
      const subVideo = (await ffprobe(credentialsInUrl(sub, VIEWER.username, VIEWER.password))).find((s) => s.codec_type === 'video');
      assert.equal(subVideo?.codec_name, 'h264');
      const subProfile = ((await cam.getProfiles()) as { $: { token: string }; videoEncoderConfiguration: { resolution: { width: number; height: number } } }[])
        .find((p) => p.$.token === 'sub')!.videoEncoderConfiguration.resolution;
      assert.deepEqual({ width: subVideo.width, height: subVideo.height }, { width: subProfile.width, height: subProfile.height });
    });

    it("an HEVC camera's main profile plays as H.264 at the camera's size", { timeout: 90_000 }, async () => {
      const cam = new Cam({ hostname: OWN, port: 9057, ...VIEWER, autoconnect: false });
      await cam.connect();
      const main = await streamUri(cam, 'main');
      assert.equal(main, `rtsp://${OWN}:8557/CAM2/h264`);
      const video = (await ffprobe(credentialsInUrl(main, VIEWER.username, VIEWER.password))).find((s) => s.codec_type === 'video');
      // The simulator's HEVC camera streams 1280x720.
      assert.deepEqual([video?.codec_name, video?.width, video?.height], ['h264', 1280, 720]);
    });

    it('the snapshot URI answers a JPEG to the same credentials by HTTP Digest', { timeout: 60_000 }, async () => {
      const cam = new Cam({ hostname: LAN, port: 9056, ...VIEWER, autoconnect: false });
      await cam.connect();
      const uri = await snapshotUri(cam, 'main');
      assert.equal(uri, `http://${LAN}:9056/onvif/snapshot.jpg`);
      const anonymous = await fetch(uri);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Digest /);
      // ffprobe reads HTTP Digest as a recorder's HTTP client does.
      const [picture] = await ffprobeFile(credentialsInUrl(uri, VIEWER.username, VIEWER.password));
      assert.equal(picture?.codec_name, 'mjpeg');
    });

    it('onvif-util signs in to the camera on its own address and reads its profiles and stream URIs', { timeout: 30_000 }, async () => {
      const { stdout } = await runProgram('onvif-util', ['-u', VIEWER.username, '-p', VIEWER.password, OWN], {
        input: 'get profiles\nget rtsp\nget profile 1\nget rtsp 1\nquit\n',
      });
      assert.match(stdout, /successfully connected to host/);
      assert.match(stdout, /serial: CAM2/);
      assert.match(stdout, /Token 0: main\n\s*Token 1: sub/);
      // An HEVC camera's main profile is its H.264 stream; its sub-stream is 640 wide.
      assert.match(stdout, new RegExp(`rtsp://${OWN.replaceAll('.', '\\.')}:8557/CAM2/h264\\n`));
      assert.match(stdout, new RegExp(`rtsp://${OWN.replaceAll('.', '\\.')}:8557/CAM2/sub\\n`));
      assert.match(stdout, /Width:\s+640\n/);
    });

    it('a wrong password is refused (both clients)', { timeout: 30_000 }, async () => {
      const cam = new Cam({ hostname: LAN, port: 9056, username: VIEWER.username, password: 'wrong horse battery', autoconnect: false });
      await assert.rejects(cam.connect().then(() => cam.getProfiles()), /not authorized/i);
      const util = await runProgram('onvif-util', ['-u', VIEWER.username, '-p', 'wrong horse battery', OWN], { input: 'quit\n' });
      assert.match(util.stdout, /ERROR: get device information - ter:NotAuthorized/);
    });

    it('a replayed UsernameToken, a stale one and a replayed HTTP digest are refused', { timeout: 30_000 }, async () => {
      const token = usernameToken(VIEWER.password);
      const request = soap('<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>', token);
      const first = await post(MEDIA, request);
      assert.equal(first.status, 200, first.text);
      assert.match(first.text, /GetProfilesResponse/);
      const replay = await post(MEDIA, request);
      assert.equal(replay.status, 400);
      assert.match(replay.text, /ter:NotAuthorized/);
      // The same token sent to another camera's device is a replay too.
      const elsewhere = await post(`http://${OWN}:9057/onvif/media_service`, request);
      assert.equal(elsewhere.status, 400);
      const stale = await post(MEDIA, soap('<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>', usernameToken(VIEWER.password, new Date(Date.now() - 10 * 60_000).toISOString())));
      assert.equal(stale.status, 400);
      assert.match(stale.text, /ter:NotAuthorized/);

      const snapshot = `http://${LAN}:9056/onvif/snapshot.jpg`;
      const challenge = (await fetch(snapshot, { method: 'HEAD' })).headers.get('www-authenticate')!;
      const md5Challenge = challenge.split(/,\s*(?=Digest )/).find((c) => c.includes('algorithm=MD5'))!;
      const answer = digestAnswer(md5Challenge, 'HEAD', '/onvif/snapshot.jpg', 1);
      assert.equal((await fetch(snapshot, { method: 'HEAD', headers: { Authorization: answer } })).status, 200);
      assert.equal((await fetch(snapshot, { method: 'HEAD', headers: { Authorization: answer } })).status, 401, 'the same nc again is a replay');
      assert.equal((await fetch(snapshot, { method: 'HEAD', headers: { Authorization: digestAnswer(md5Challenge, 'HEAD', '/onvif/snapshot.jpg', 2) } })).status, 200);
    });

    it('GetSystemDateAndTime needs no credentials, other operations do; unserved ones answer ter:ActionNotSupported', async () => {
      const time = await post(DEVICE, soap('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
      assert.equal(time.status, 200);
      const year = Number(/<tt:Year>(\d+)<\/tt:Year>/.exec(time.text)![1]);
      assert.equal(year, new Date().getUTCFullYear());
      const anonymous = await post(DEVICE, soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.text, /ter:NotAuthorized/);
      const unserved = await post(DEVICE, soap('<GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"/>', usernameToken(VIEWER.password)));
      assert.equal(unserved.status, 500);
      assert.match(unserved.text, /<env:Value>env:Receiver<\/env:Value><env:Subcode><env:Value>ter:ActionNotSupported<\/env:Value>/);
      const notSoap = await post(DEVICE, '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>');
      assert.equal(notSoap.status, 400);
    });

    it('says Bye for each camera when it stops', { timeout: 30_000 }, async () => {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
      const byes = group.messages.filter((m) => m.includes('/discovery/Bye'));
      assert.equal(byes.length, 2, `${byes.length} Bye messages`);
    });
  });

  describe('serve --onvif on loopback with viewer credentials set', () => {
    let rig: EnrolledStation;
    let cli: RunningCli;
    before(async () => {
      rig = await enrolledStation(VIEWER, {}, [CAMERAS[0]!]);
      cli = await startServe(rig, ['--listen', '127.0.0.1']);
    });
    after(async () => {
      cli.child.kill('SIGTERM');
      await cli.exited;
      await rig.close();
    });

    it('still asks ONVIF clients for the credentials, and its stream URI plays', { timeout: 60_000 }, async () => {
      const anonymous = new Cam({ hostname: '127.0.0.1', port: 9056, autoconnect: false });
      await assert.rejects(anonymous.connect().then(() => anonymous.getProfiles()), /not authorized/i);
      const cam = new Cam({ hostname: '127.0.0.1', port: 9056, ...VIEWER, autoconnect: false });
      await cam.connect();
      const uri = await streamUri(cam, 'main');
      assert.equal(uri, 'rtsp://127.0.0.1:8556/CAM1');
      // The RTSP port on loopback asks for nothing (as before); ONVIF is what answers beyond this machine.
      assert.equal((await ffprobe(uri)).find((s) => s.codec_type === 'video')?.codec_name, 'h264');
    });
  });
}
