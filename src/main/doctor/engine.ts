// `doctor`: every check between "signed in" and "a camera plays", one step at a time, each with
// pass/fail, how long it took, what it saw and, when it fails, what the user can do. The CLI
// (`arlo-rtsp doctor`) and the UI's Diagnose button both run this one engine.
//
// A step that needs an earlier one that did not pass is skipped, saying which; steps that only need
// the stored data (certificate, address, network) run even when the cloud cannot be reached, so a
// LAN problem is found without internet too.

import net from 'node:net';
import { z } from 'zod';
import { MAX_DIAGNOSE_PLAY_SECONDS, type DiagnoseRequest, type Diagnosis, type DiagnosisStep } from '../../shared/api.js';
import type { ArloAccount } from '../arlo/account.js';
import { discoverBaseStations, type DiscoverOptions } from '../discovery/mdns.js';
import { connectTls, probeTls } from '../discovery/tls-probe.js';
import { certificateExpiry, certificateMatchesKey } from '../enroll/certificate.js';
import { arloStreamPath } from '../rtsp/url.js';
import { URL_HOST_FORM_TEXT, refusesUrlHost, requestUrl, urlHostCandidates, type UrlHost } from '../rtsp/url-host.js';
import { silentLogger } from '../log.js';
import type { AppData, BaseStationRecord, CameraRecord, DataStore } from '../store/types.js';
import { FORGET_PIN_ADVICE, connectTimeout, connectionError, identityMismatch } from '../stream/errors.js';
import { checkPin, type PinCheck } from '../stream/identity.js';
import { pinOf, urlHostNamingOf } from '../store/base-stations.js';
import { CaptureRecorder } from '../capture/recorder.js';
import type { HeldSessions } from './live-session.js';
import type { Outcome } from './outcome.js';
import { describeExchange, measurePlay } from './rtsp-checks.js';
import { formatDate, formatDateTime } from '../../shared/dates.js';

export interface DoctorContext {
  store: DataStore;
  account: ArloAccount;
  /** `false`: discovery is off here (the mDNS step is skipped). */
  discovery: false | Omit<DiscoverOptions, 'timeoutMs' | 'signal'>;
  /** The sessions this app holds: PLAY reads a held one instead of opening a second (which the base station would refuse). */
  held?: HeldSessions;
  /**
   * Record a field capture of the PLAY step (`doctor --capture`): PLAY then runs even when the
   * DESCRIBE step failed (the failure is what the capture is for), for `playSeconds` or
   * CAPTURE_PLAY_SECONDS.
   */
  capture?: CaptureSlot;
}

/** Where the PLAY step leaves the recorder of a capture, for the caller to write. */
export interface CaptureSlot {
  recorder?: CaptureRecorder;
}

/** How long PLAY runs for a capture when no --play is given: the first seconds of media are what a replay needs. */
export const CAPTURE_PLAY_SECONDS = 5;

export const diagnoseRequestSchema = z.object({
  baseStationId: z.string().min(1),
  cameraId: z.string().min(1).optional(),
  playSeconds: z.number().int().min(0).max(MAX_DIAGNOSE_PLAY_SECONDS).optional(),
});

const TCP_TIMEOUT_MS = 5_000;
const MDNS_TIMEOUT_MS = 3_000;

/** What the steps learn and hand on. */
interface Facts {
  data?: AppData;
  privateKeyPem?: string;
  token?: string;
  station?: BaseStationRecord;
  camera?: CameraRecord;
}


interface Step {
  name: string;
  /** Names of the steps that must have passed first. */
  needs: string[];
  /** Runs only when this says so (PLAY only with `playSeconds`). */
  when?: () => boolean;
  run(facts: Facts): Promise<Outcome>;
}

export const STEP = {
  data: 'Data directory and secrets',
  token: 'Arlo sign-in',
  devices: 'Device list',
  camera: 'Camera capability',
  certificate: 'Client certificate',
  address: 'Base station address',
  mdns: 'mDNS browse',
  tcp: 'TCP connect',
  tls: 'TLS handshake',
  rtsp: 'RTSP OPTIONS and DESCRIBE',
  play: 'PLAY',
} as const;

export async function diagnose(context: DoctorContext, request: DiagnoseRequest): Promise<Diagnosis> {
  const startedAt = new Date().toISOString();
  const facts: Facts = {};
  const steps: DiagnosisStep[] = [];
  for (const step of stepsFor(context, request)) {
    if (step.when && !step.when()) continue;
    const missing = step.needs.filter((name) => steps.find((s) => s.name === name)?.status !== 'pass');
    if (missing.length > 0) {
      steps.push({ name: step.name, status: 'skip', durationMs: 0, detail: 'not run', fix: `Needs "${missing.join('", "')}" to pass first.` });
      continue;
    }
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await step.run(facts);
    } catch (error) {
      outcome = { fail: `the check itself failed: ${error instanceof Error ? error.message : String(error)}`, fix: CHECK_FAILED_ADVICE };
    }
    steps.push(stepOf(step.name, Math.round(performance.now() - started), outcome));
  }
  return {
    baseStationId: request.baseStationId,
    ...(facts.camera ? { cameraId: facts.camera.deviceId } : request.cameraId ? { cameraId: request.cameraId } : {}),
    passed: steps.every((s) => s.status !== 'fail'),
    steps,
    startedAt,
  };
}

const CHECK_FAILED_ADVICE = 'Run the diagnosis again; if it fails the same way, report it with "arlo-rtsp doctor --report" attached.';

function stepOf(name: string, durationMs: number, outcome: Outcome): DiagnosisStep {
  if ('pass' in outcome) return { name, status: 'pass', durationMs, detail: outcome.pass };
  if ('skip' in outcome) return { name, status: 'skip', durationMs, detail: 'not run', fix: outcome.skip };
  return { name, status: 'fail', durationMs, detail: outcome.fail, fix: outcome.fix };
}

function stepsFor(context: DoctorContext, request: DiagnoseRequest): Step[] {
  const { store, account, capture } = context;
  const playSeconds = request.playSeconds ?? (capture ? CAPTURE_PLAY_SECONDS : 0);
  const where = (facts: Facts) => `${facts.station?.host ?? '?'}:${facts.station?.port ?? '?'}`;
  return [
    {
      name: STEP.data,
      needs: [],
      async run(facts) {
        facts.data = await store.read();
        facts.token = await store.secrets.get('arloToken');
        facts.privateKeyPem = await store.secrets.get('clientPrivateKey');
        await store.secrets.get('trustedBrowserCode');
        const station = facts.data.baseStations.find((b) => b.deviceId === request.baseStationId);
        if (!station) {
          return { fail: `no base station ${request.baseStationId} in ${store.dir}`, fix: 'Check the id with "arlo-rtsp devices" (or refresh the device list in the app).' };
        }
        facts.station = station;
        return { pass: `${store.dir} read; secrets (${store.secrets.protection}) readable; sign-in ${facts.token ? 'stored' : 'absent'}; private key ${facts.privateKeyPem ? 'stored' : 'absent'}` };
      },
    },
    {
      name: STEP.token,
      needs: [STEP.data],
      async run(facts) {
        if (!facts.token) return { fail: 'no Arlo sign-in is stored', fix: 'Sign in ("arlo-rtsp login" or the app\'s sign-in page), or paste a token.' };
        await account.checkSession();
        const view = await account.accountView();
        const expires = view.tokenExpiresAt ? `, expires ${formatDateTime(view.tokenExpiresAt)}` : '';
        return { pass: `the Arlo cloud accepted the stored token (session/v3)${expires}` };
      },
    },
    {
      name: STEP.devices,
      needs: [STEP.token],
      async run(facts) {
        const found = await account.refreshDevices();
        facts.data = await store.read();
        facts.station = facts.data.baseStations.find((b) => b.deviceId === request.baseStationId) ?? facts.station;
        const station = found.baseStations.find((b) => b.deviceId === request.baseStationId);
        if (!station) {
          return { fail: `${found.baseStations.length} base station(s) on the account, not ${request.baseStationId}`, fix: 'The base station is not on this Arlo account: sign in with the account that owns it.' };
        }
        const owned = station.owned === false ? ' (shared with you: only the owner can enroll)' : '';
        return { pass: `${found.baseStations.length} base station(s), ${found.cameras.length} camera(s); ${station.name} (${station.model}) is on the account${owned}` };
      },
    },
    {
      name: STEP.camera,
      needs: [STEP.data],
      async run(facts) {
        const cameras = (facts.data?.cameras ?? []).filter((c) => c.baseStationId === request.baseStationId);
        const camera = request.cameraId ? cameras.find((c) => c.deviceId === request.cameraId) : (cameras.find((c) => c.localStreaming) ?? cameras[0]);
        if (!camera) {
          return { fail: request.cameraId ? `no camera ${request.cameraId} behind this base station` : 'no camera behind this base station', fix: 'Check the camera id with "arlo-rtsp devices"; refresh the device list after adding a camera in the Arlo app.' };
        }
        facts.camera = camera;
        if (!camera.localStreaming) {
          return { fail: `${camera.name} (${camera.model}): Arlo does not offer local streaming for it`, fix: 'This camera can only stream through the Arlo cloud; choose another camera.' };
        }
        return { pass: `${camera.name} (${camera.model}, ${camera.deviceId}): local streaming, ${camera.codecs.join(' + ')}; asks for ${camera.codec}` };
      },
    },
    {
      name: STEP.certificate,
      needs: [STEP.data],
      async run(facts) {
        const pem = facts.station?.certificatePem;
        const enroll = 'Enroll again (the Enroll button on the base station, or "arlo-rtsp enroll").';
        if (!pem) return { fail: 'no client certificate for this base station', fix: enroll.replace(' again', '') };
        if (facts.station?.certificateRejected) return { fail: 'the base station refused this certificate before', fix: enroll };
        const expires = certificateExpiry(pem);
        if (!expires) return { fail: 'the stored certificate cannot be read', fix: enroll };
        if (expires.getTime() <= Date.now()) return { fail: `expired ${formatDate(expires)}`, fix: enroll };
        if (!facts.privateKeyPem || !certificateMatchesKey(pem, facts.privateKeyPem)) {
          return { fail: 'the certificate does not match this installation\'s private key', fix: enroll };
        }
        return { pass: `valid until ${formatDate(expires)}; matches this installation's key` };
      },
    },
    {
      name: STEP.address,
      needs: [STEP.data],
      async run(facts) {
        const station = facts.station;
        if (!station?.host) {
          return { fail: 'no address known', fix: 'Type the base station\'s address (your router\'s device list shows it), or let mDNS find it on the same network.' };
        }
        const source = station.addressSource === 'typed' ? 'typed by you' : 'found by mDNS';
        const announced = station.announcedPort && station.announcedPort !== station.port ? `; mDNS announces port ${station.announcedPort} (information only)` : '';
        return { pass: `${where(facts)} (${source})${announced}` };
      },
    },
    {
      name: STEP.mdns,
      needs: [STEP.data],
      async run(facts) {
        if (context.discovery === false) return { pass: 'discovery is off here; the stored address is used' };
        const found = await discoverBaseStations({ ...context.discovery, timeoutMs: MDNS_TIMEOUT_MS });
        const seen = found.find((b) => b.deviceId === request.baseStationId);
        const all = found.map((b) => `${b.deviceId} at ${b.host} (SRV port ${b.port})`).join('; ') || 'nothing';
        if (seen) return { pass: `found ${all}` };
        if (facts.station?.addressSource === 'typed') return { pass: `found ${all}; this base station's address is typed, so mDNS is not needed` };
        return { fail: `found ${all}`, fix: 'The base station did not answer mDNS: type its address (your router\'s device list), and check that this computer is on the same network (not a guest Wi-Fi or another VLAN).' };
      },
    },
    {
      name: STEP.tcp,
      needs: [STEP.address],
      run: (facts) => tcpConnect(facts.station?.host ?? '', facts.station?.port ?? 0),
    },
    {
      name: STEP.tls,
      needs: [STEP.tcp, STEP.certificate],
      async run(facts) {
        const station = facts.station!;
        const result = await probeTls({ host: station.host!, port: station.port!, certificatePem: station.certificatePem!, privateKeyPem: facts.privateKeyPem! });
        if (!result.ok) {
          // A cut handshake is how a base station may refuse a certificate too; one probe cannot tell
          // it from a glitch, so the fix says both (the engine waits for a second one before deciding).
          if (result.error.code === 'certificate-rejected' || result.error.code === 'handshake-reset') {
            const glitch = result.error.code === 'handshake-reset' ? ' If enrolling does not help, run the diagnosis again: a cut connection can also be a network glitch.' : '';
            return { fail: result.error.message, fix: `The base station refused this app's certificate (revoked or replaced): enroll again (the Enroll button, or "arlo-rtsp enroll").${glitch}` };
          }
          return { fail: result.error.message, fix: 'Check that the address is the base station\'s and that nothing between (firewall, VPN) intercepts the connection.' };
        }
        const presented = result.identity;
        const seen = `${result.protocol}, ${result.cipher}; base station certificate SHA-256 ${presented?.fingerprint ?? 'none'}, key SHA-256 ${presented?.key ?? 'none'}`;
        const pin = pinOf(station);
        const check = checkPin(pin, presented);
        if (check === 'changed') return { fail: identityMismatch(`${station.host}:${station.port}`, pin, presented), fix: FORGET_PIN_ADVICE };
        return { pass: `${seen} (${PIN_VERDICT[check]})` };
      },
    },
    {
      name: STEP.rtsp,
      needs: [STEP.tls, STEP.camera],
      async run(facts) {
        const station = facts.station!;
        const camera = facts.camera!;
        let last: { fail: string; fix: string } | undefined;
        // Each way request URLs may name the base station (rtsp/url-host.ts), in the engine's order,
        // each on a connection of its own to the address, until one is not refused.
        const refused: string[] = [];
        for (const host of urlHostsOf(station)) {
          const tls = await connectTls({ host: station.host!, port: station.port!, certificatePem: station.certificatePem!, privateKeyPem: facts.privateKeyPem! });
          if (!tls.ok) return { fail: tls.error.message, fix: 'Run the diagnosis again; if it keeps failing here, the TLS step above says why.' };
          const url = requestUrl(host, streamPath(camera));
          const outcome = await describeExchange(tls.socket, where(facts), url);
          const named = `URL ${url} (naming ${URL_HOST_FORM_TEXT[host.form]})${refused.length > 0 ? `; refused before: ${refused.join(', ')}` : ''}`;
          if ('pass' in outcome) return { pass: `${named}\n${outcome.pass}` };
          refused.push(`${host.authority} (${URL_HOST_FORM_TEXT[host.form]}) → ${outcome.status ?? 'no answer'}`);
          if (outcome.status === undefined || !refusesUrlHost(outcome.status)) return { fail: `${named}\n${outcome.fail}`, fix: outcome.fix };
          last = outcome;
        }
        return { fail: `every way to name the base station was refused: ${refused.join(', ')}\n${last?.fail ?? ''}`, fix: last?.fix ?? 'Run the diagnosis again.' };
      },
    },
    {
      name: STEP.play,
      needs: capture ? [STEP.tls, STEP.camera] : [STEP.rtsp],
      when: () => playSeconds > 0,
      async run(facts) {
        const station = facts.station!;
        const camera = facts.camera!;
        const ms = playSeconds * 1000;
        const held = await context.held?.(camera.deviceId);
        if (held) {
          const busy = `${held.holder} streams this camera now (${held.viewers} viewer(s)), and the base station allows one session per camera: ` +
            'a second one would be refused as if another app held it.';
          if (capture) return { skip: `${busy} A capture needs a session of its own: stop the camera there, then capture again.` };
          if (!held.measure) return { skip: `${busy} Its URL plays the camera; Diagnose in its web UI measures that session.` };
          // Undefined: the session ended meanwhile, so one of our own is free to open.
          const measured = await held.measure(ms);
          if (measured) return measured;
        }
        if (capture) {
          capture.recorder = new CaptureRecorder({
            baseStation: { deviceId: station.deviceId, ...(station.model ? { model: station.model } : {}) },
            camera: { deviceId: camera.deviceId, ...(camera.model ? { model: camera.model } : {}), codec: camera.codec, ownBaseStation: camera.ownBaseStation },
          }, ms);
        }
        return measurePlay({
          host: station.host!,
          port: station.port!,
          path: streamPath(facts.camera!),
          certificatePem: station.certificatePem!,
          privateKeyPem: facts.privateKeyPem!,
          pin: pinOf(station),
          urlHosts: urlHostsOf(station),
          logger: silentLogger,
        }, ms, capture?.recorder);
      },
    },
  ];
}

/** The TLS step's word on an accepted identity. */
const PIN_VERDICT: Record<Exclude<PinCheck, 'changed'>, string> = {
  unpinned: 'not pinned yet: pinned at the first stream',
  same: 'matches the pin',
  reissued: 'a certificate re-issued on the pinned key: accepted, pinned at the next stream',
  keyed: 'matches the pinned certificate; its key is pinned at the next stream',
};

/** How request URLs may name the base station, in the engine's order. */
function urlHostsOf(station: BaseStationRecord): UrlHost[] {
  return urlHostCandidates({ ...urlHostNamingOf(station), address: station.host ?? '', port: station.port ?? 0 });
}

function streamPath(camera: CameraRecord): string {
  return arloStreamPath(camera.deviceId, { transport: 'tcp', codec: camera.codec, ownBaseStation: camera.ownBaseStation });
}

function tcpConnect(host: string, port: number): Promise<Outcome> {
  const where = `${host}:${port}`;
  const fix = `Nothing accepted a connection at ${where}: check the address (your router's device list shows the base station), that the base station is powered on, and that this computer is on the same network.`;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: Outcome): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ fail: connectTimeout(where, TCP_TIMEOUT_MS).message, fix }), TCP_TIMEOUT_MS);
    socket.once('connect', () => done({ pass: `connected to ${where}` }));
    socket.once('error', (error) => done({ fail: connectionError(error, where).message, fix }));
  });
}
