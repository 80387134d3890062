// The stream engine's face to the service: one endpoint (RTSP port + camera hub + upstream) per
// camera, their runtime figures, and events. `change` is throttled to `publishIntervalMs` and
// never fires per packet; figures are read on demand with `runtime()` / `runtimes()`.
//
//   const streams = new StreamManager({ logger });
//   streams.on('change', () => publish(streams.runtimes()));
//   streams.on('identityPinned', (baseStationId, identity) => store it);
//   await streams.start({ deviceId, cameraId, codec, port, listenAddress, lingerMs, upstream: {...} });

import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { CameraView, VideoCodec } from '../../shared/api.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { createSerial, type Serial } from '../serial.js';
import { FailureThrottle, RtspAuthenticator, credentialsInUrl } from '../rtsp/auth.js';
import { arloStreamPath, arloStreamUrl } from '../rtsp/url.js';
import { CameraHub, type HubLimits, type HubViewer, type StreamInfo } from './hub.js';
import type { Phase } from './lifecycle.js';
import { isLoopbackAddress } from '../../shared/net.js';
import { EndpointServer } from './server.js';
import type { StreamSource } from './source.js';
import { CAMERA_STREAM_KINDS, cameraStreamPath, type CameraStreamKind, type CameraStreamView } from '../../shared/streams.js';

import { isPinned, type PeerIdentity, type Pin } from './identity.js';
import { UpstreamSession, type UrlHostOutcome } from './upstream.js';
import { urlHostCandidates, type UrlHostFacts, type UrlHostForm } from '../rtsp/url-host.js';

export interface EndpointOptions {
  /** Our key for the endpoint (the camera's deviceId). */
  deviceId: string;
  /** The camera's id in the base station's stream path. */
  cameraId: string;
  codec: VideoCodec;
  ownBaseStation: boolean;
  port: number;
  listenAddress: string;
  /** Required when `listenAddress` is not loopback; the username goes into the URL. */
  credentials?: { username: string; password: string; allowBasic?: boolean };
  lingerMs: number;
  upstream: {
    baseStationId: string;
    host: string;
    port: number;
    certificatePem: string;
    privateKeyPem: string;
    pin?: Pin;
    /** What says how request URLs may name the base station (url-host.ts); the address alone when absent. */
    naming?: Omit<UrlHostFacts, 'address' | 'port'>;
  };
  /** Tuning of queues and caches; the defaults suit real cameras. */
  limits?: Partial<HubLimits>;
  /** How long a viewer may take to send one request whole; see `REQUEST_TIMEOUT_MS`. */
  requestTimeoutMs?: number;
  /** How long a viewer may sit silent before playing; see `IDLE_BEFORE_PLAY_MS`. */
  idleBeforePlayMs?: number;
  /** Why a new viewer is refused now (a battery camera's daily cap), or undefined to let it in. */
  admit?: () => string | undefined;
  /** The camera's last known description (kept by the caller across restarts): see `StreamSource.remembered`. */
  knownSdp?: string;
  /** Streams derived from the camera's hub (transcode/), served beside the native one. */
  derive?: (hub: CameraHub, logger: Logger) => DerivedStreams;
}

/** The live figures of one path of a running camera. */
export type PathRuntime = Pick<CameraStreamView, 'viewers' | 'transcoder' | 'error'>;

/** Streams derived from a camera's hub, each under a path of the camera's port (shared/streams.ts). */
export interface DerivedStreams {
  /** The source of a derived kind, or undefined when it has none. */
  source(kind: Exclude<CameraStreamKind, 'native'>): StreamSource | undefined;
  /** The live figures of a path (viewers counted by the manager are added). */
  runtime(kind: CameraStreamKind): Omit<PathRuntime, 'viewers'> | undefined;
  close(): Promise<void>;
}

/** What the engine knows of a running endpoint: the live half of the UI's CameraView. */
export type EndpointRuntime = Pick<
  CameraView,
  | 'deviceId' | 'running' | 'state' | 'error' | 'waitReason' | 'retryAt' | 'viewers' | 'bytesIn' | 'bytesOut' | 'bitrate'
  | 'upstreamSessions' | 'reconnects' | 'packetsDropped' | 'keepAliveFailures' | 'mediaSilences' | 'authFailures' | 'port' | 'url'
> & {
  /** Each path's viewers and transcoder state. */
  paths: Partial<Record<CameraStreamKind, PathRuntime>>;
};

export interface StreamManagerEvents {
  change: [];
  /** First contact with a base station not pinned yet, or its pin brought up to date (identity.ts): store this. */
  identityPinned: [baseStationId: string, identity: PeerIdentity];
  /** The base station refused our client certificate: it must be enrolled again. */
  certificateRejected: [baseStationId: string, message: string];
  /** A camera's session described its stream: keep it, as `knownSdp` of the next start. */
  described: [deviceId: string, sdpText: string];
  /** A camera's stream lifecycle entered another phase (at once, not throttled like `change`). */
  phase: [deviceId: string, phase: Phase];
  /** Nothing answers at the base station's address (a camera's stream waits to retry): its address may have changed. */
  unreachable: [baseStationId: string, message: string];
  /** The base station presented another key than the pinned one: a stranger may have its old address. */
  fingerprintChanged: [baseStationId: string, message: string];
  /** A session plays with URLs naming the base station so, after these forms were refused: remember it. */
  urlHostWorked: [baseStationId: string, outcome: UrlHostOutcome];
}

const BITRATE_WINDOW = 5;
const SAMPLE_MS = 1_000;

interface Endpoint {
  options: EndpointOptions;
  hub: CameraHub;
  server: EndpointServer;
  /** Checks viewers' credentials (beyond loopback only). */
  authenticator: RtspAuthenticator | undefined;
  url: string;
  derived: DerivedStreams | undefined;
  /** The sources RTSP viewers play, per path, counting them. */
  paths: Map<CameraStreamKind, CountedSource>;
  /** bytesIn at each of the last few samples, oldest first. */
  samples: number[];
}

export class StreamManager extends EventEmitter<StreamManagerEvents> {
  readonly #log: Logger;
  readonly #publishIntervalMs: number;
  readonly #endpoints = new Map<string, Endpoint>();
  /** Identities pinned in this process before the service stored them. */
  readonly #pins = new Map<string, Pin>();
  /** The URL host form each base station last answered, in this process. */
  readonly #urlHostForms = new Map<string, UrlHostForm>();
  /** Per camera (a handful), its starts and stops in turn, so they never overlap. */
  readonly #turns = new Map<string, Serial>();
  #publish: NodeJS.Timeout | undefined;
  #sampler: NodeJS.Timeout | undefined;
  /** Wrong viewer passwords per address, counted across every camera. */
  readonly #throttle = new FailureThrottle();

  constructor(options: { logger: Logger; publishIntervalMs?: number }) {
    super();
    this.#log = options.logger;
    this.#publishIntervalMs = options.publishIntervalMs ?? 500;
  }

  /** Opens the camera's RTSP port (replacing a running endpoint of that camera). */
  start(options: EndpointOptions): Promise<void> {
    return this.#inTurn(options.deviceId, () => this.#start(options));
  }

  /** Closes the camera's port, its viewers, and its upstream session (TEARDOWN). */
  stop(deviceId: string): Promise<void> {
    return this.#inTurn(deviceId, () => this.#stop(deviceId));
  }

  #inTurn(deviceId: string, task: () => Promise<void>): Promise<void> {
    let serial = this.#turns.get(deviceId);
    if (!serial) this.#turns.set(deviceId, (serial = createSerial()));
    return serial(task);
  }

  async #start(options: EndpointOptions): Promise<void> {
    await this.#stop(options.deviceId);
    const log = this.#log.child({ camera: options.deviceId });
    const { upstream } = options;
    if (isPinned(upstream.pin)) this.#pins.set(upstream.baseStationId, upstream.pin);
    const path = arloStreamPath(options.cameraId, { transport: 'tcp', codec: options.codec, ownBaseStation: options.ownBaseStation });
    const hub = new CameraHub({
      logger: log,
      lingerMs: options.lingerMs,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.knownSdp !== undefined ? { knownSdp: options.knownSdp } : {}),
      onDescribed: (sdpText) => this.emit('described', options.deviceId, sdpText),
      onChange: () => this.#changed(),
      open: (hooks) => {
        const pinned = this.#pins.get(upstream.baseStationId);
        const lastWorked = this.#urlHostForms.get(upstream.baseStationId) ?? upstream.naming?.lastWorked;
        return UpstreamSession.open(
          {
            host: upstream.host,
            port: upstream.port,
            path,
            urlHosts: urlHostCandidates({ ...upstream.naming, address: upstream.host, port: upstream.port, ...(lastWorked ? { lastWorked } : {}) }),
            certificatePem: upstream.certificatePem,
            privateKeyPem: upstream.privateKeyPem,
            ...(pinned ? { pin: pinned } : {}),
            logger: log,
          },
          {
            ...hooks,
            onIdentity: (identity) => {
              this.#pins.set(upstream.baseStationId, identity);
              this.emit('identityPinned', upstream.baseStationId, identity);
            },
            onUrlHost: (outcome) => {
              if (outcome.used.form === lastWorked && outcome.refused.length === 0) return;
              this.#urlHostForms.set(upstream.baseStationId, outcome.used.form);
              log.info({ used: outcome.used.authority, refused: outcome.refused.map((r) => `${r.authority} (${r.status})`) }, 'the base station answers URLs naming it so');
              this.emit('urlHostWorked', upstream.baseStationId, outcome);
            },
          },
        );
      },
      onPhase: (phase) => {
        this.emit('phase', options.deviceId, phase);
        if (phase.name === 'failed' && phase.problem.reason === 'certificate-rejected') {
          this.emit('certificateRejected', upstream.baseStationId, phase.problem.message);
        } else if (phase.name === 'waiting' && phase.problem.reason === 'unreachable') {
          this.emit('unreachable', upstream.baseStationId, phase.problem.message);
        } else if (phase.name === 'failed' && phase.problem.reason === 'fingerprint-changed') {
          this.emit('fingerprintChanged', upstream.baseStationId, phase.problem.message);
        }
      },
    });
    const authenticator = options.credentials && !isLoopbackAddress(options.listenAddress)
      ? new RtspAuthenticator({ ...options.credentials, throttle: this.#throttle })
      : undefined;
    const derived = options.derive?.(hub, log);
    const paths = new Map<CameraStreamKind, CountedSource>();
    for (const kind of CAMERA_STREAM_KINDS) {
      const source = kind === 'native' ? hub : derived?.source(kind);
      if (source) paths.set(kind, new CountedSource(source, () => this.#changed()));
    }
    const server = await EndpointServer.listen({
      route: (path) => paths.get(kindOfPath(path, options.deviceId)),
      port: options.port,
      listenAddress: options.listenAddress,
      ...(authenticator ? { authenticator } : {}),
      viewer: {
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
        ...(options.idleBeforePlayMs !== undefined ? { idleBeforePlayMs: options.idleBeforePlayMs } : {}),
        ...(options.admit ? { admit: options.admit } : {}),
      },
      logger: log,
    });
    const url = viewerUrl({ ...options, port: server.port });
    this.#endpoints.set(options.deviceId, { options, hub, server, authenticator, url, derived, paths, samples: [] });
    log.info({ port: server.port }, 'camera endpoint listening');
    this.#changed();
  }

  async #stop(deviceId: string): Promise<void> {
    const endpoint = this.#endpoints.get(deviceId);
    if (!endpoint) return;
    this.#endpoints.delete(deviceId);
    await endpoint.server.close();
    await endpoint.derived?.close();
    await endpoint.hub.close();
    if (this.#endpoints.size === 0) {
      clearInterval(this.#sampler);
      this.#sampler = undefined;
    }
    this.#changed();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#endpoints.keys()].map((id) => this.stop(id)));
    clearTimeout(this.#publish);
    this.#publish = undefined;
  }

  /** A base station moved (DHCP): the next session of each of its cameras opens at the new address. */
  moveBaseStation(baseStationId: string, host: string, port: number): void {
    for (const { options } of this.#endpoints.values()) {
      if (options.upstream.baseStationId === baseStationId) Object.assign(options.upstream, { host, port });
    }
  }

  /** Replaces every camera's live upstream session at once (see `CameraHub.replaceSession`). */
  replaceLiveSessions(message: string): void {
    for (const endpoint of this.#endpoints.values()) endpoint.hub.replaceSession(message);
  }

  /** Forget a pinned identity (the user replaced the base station); the next session pins anew. */
  forgetFingerprint(baseStationId: string): void {
    this.#pins.delete(baseStationId);
  }

  /**
   * Attaches an in-process viewer (the live view, a snapshot) to the camera's hub: a lease like any
   * RTSP viewer's, so it shares the one base-station session and the linger and battery rules hold.
   * Without `wake` it is refused unless the camera is streaming already; with it, when the camera
   * admits no new viewer (its daily cap). Answers the detach function.
   */
  async attach(deviceId: string, viewerFor: (info: StreamInfo) => HubViewer, options: { wake: boolean }): Promise<() => void> {
    const endpoint = this.#endpoints.get(deviceId);
    if (!endpoint) throw new AttachError('stopped', 'This camera is stopped: start it first.');
    const { hub } = endpoint;
    if (!options.wake && hub.state !== 'media') throw new AttachError('idle', 'This camera is not streaming now.');
    const refusal = options.wake ? endpoint.options.admit?.() : undefined;
    if (refusal !== undefined) throw new AttachError('refused', refusal);
    hub.acquire();
    let viewer: HubViewer;
    try {
      viewer = viewerFor(await hub.describe());
    } catch (error) {
      hub.release();
      throw error;
    }
    hub.play(viewer);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      hub.detach(viewer);
      hub.release();
    };
  }

  runtime(deviceId: string): EndpointRuntime | undefined {
    const endpoint = this.#endpoints.get(deviceId);
    return endpoint && runtimeOf(endpoint);
  }

  runtimes(): EndpointRuntime[] {
    return [...this.#endpoints.values()].map(runtimeOf);
  }

  /** Publishes at most once per interval, however often things change. */
  #changed(): void {
    if (this.#flowing()) this.#startSampler();
    if (this.#publish) return;
    this.#publish = setTimeout(() => {
      this.#publish = undefined;
      this.emit('change');
    }, this.#publishIntervalMs);
    this.#publish.unref();
  }

  #flowing(): boolean {
    for (const endpoint of this.#endpoints.values()) {
      if (endpoint.hub.state === 'media' || endpoint.hub.viewers > 0) return true;
    }
    return false;
  }

  /**
   * Samples the bitrate (and publishes it) every second while any camera streams or has viewers.
   * Once none does it publishes a bitrate of 0 and stops, so that cameras waiting for viewers wake
   * nothing (a laptop on battery sleeps; docs/BENCHMARKS.md); a change that brings media restarts it.
   */
  #startSampler(): void {
    this.#sampler ??= setInterval(() => {
      const flowing = this.#flowing();
      for (const endpoint of this.#endpoints.values()) {
        if (!flowing) endpoint.samples = [];
        else endpoint.samples.push(endpoint.hub.stats.bytesIn);
        if (endpoint.samples.length > BITRATE_WINDOW + 1) endpoint.samples.shift();
      }
      if (!flowing) {
        clearInterval(this.#sampler);
        this.#sampler = undefined;
      }
      this.#changed();
    }, SAMPLE_MS);
    this.#sampler.unref();
  }
}

/** Why `attach` refused: the camera's endpoint is stopped, it is idle and waking was not asked for, or it admits no new viewer. */
export class AttachError extends AppError {
  override readonly name = 'AttachError';
  declare readonly code: 'stopped' | 'idle' | 'refused';
  constructor(code: 'stopped' | 'idle' | 'refused', message: string) {
    super(code, message);
  }
}

function runtimeOf(endpoint: Endpoint): EndpointRuntime {
  const { hub, samples } = endpoint;
  const oldest = samples[0];
  const newest = samples.at(-1);
  const bitrate = oldest !== undefined && newest !== undefined && samples.length > 1
    ? Math.round(((newest - oldest) * 8 * 1000) / ((samples.length - 1) * SAMPLE_MS))
    : 0;
  const status = hub.status();
  return {
    deviceId: endpoint.options.deviceId,
    running: true,
    state: status.state,
    ...(status.error !== undefined ? { error: status.error } : {}),
    ...(status.waitReason !== undefined ? { waitReason: status.waitReason } : {}),
    ...(status.retryAt !== undefined ? { retryAt: new Date(status.retryAt).toISOString() } : {}),
    viewers: hub.viewers,
    bytesIn: hub.stats.bytesIn,
    bytesOut: hub.stats.bytesOut,
    bitrate,
    upstreamSessions: hub.stats.upstreamSessions,
    reconnects: hub.stats.reconnects,
    packetsDropped: hub.stats.packetsDropped,
    keepAliveFailures: hub.stats.keepAliveFailures,
    mediaSilences: hub.stats.mediaSilences,
    authFailures: endpoint.authenticator?.wrongCredentials ?? 0,
    port: endpoint.server.port,
    url: endpoint.url,
    paths: Object.fromEntries(CAMERA_STREAM_KINDS.map((kind) => [kind, { viewers: endpoint.paths.get(kind)?.viewers ?? 0, ...endpoint.derived?.runtime(kind) }])),
  };
}

/**
 * Which stream a request path names: `/<camera>/h264` and `/<camera>/sub` the derived ones; any
 * other path the native stream, as before there were others (players add or drop a trailing part).
 */
function kindOfPath(path: string, deviceId: string): CameraStreamKind {
  for (const kind of CAMERA_STREAM_KINDS) {
    if (kind !== 'native' && path === cameraStreamPath(deviceId, kind)) return kind;
  }
  return 'native';
}

/** A source as one path serves it: the viewers playing it through that path are counted for the state. */
class CountedSource implements StreamSource {
  readonly #source: StreamSource;
  readonly #onChange: () => void;
  readonly #playing = new Set<HubViewer>();

  constructor(source: StreamSource, onChange: () => void) {
    this.#source = source;
    this.#onChange = onChange;
  }

  get viewers(): number {
    return this.#playing.size;
  }

  acquire(): void {
    this.#source.acquire();
  }

  release(): void {
    this.#source.release();
  }

  describe(): Promise<StreamInfo> {
    return this.#source.describe();
  }

  remembered(): StreamInfo | undefined {
    return this.#source.remembered();
  }

  play(viewer: HubViewer): void {
    this.#playing.add(viewer);
    this.#source.play(viewer);
    this.#onChange();
  }

  detach(viewer: HubViewer): void {
    if (this.#playing.delete(viewer)) this.#onChange();
    this.#source.detach(viewer);
  }
}

/**
 * The URL of this endpoint: beyond loopback with the viewer username, and the password only when
 * `withPassword` (the URL a viewer pastes, handed out on request and never kept in state or logs).
 */
export function viewerUrl(options: Pick<EndpointOptions, 'deviceId' | 'listenAddress' | 'port' | 'credentials'>, withPassword = false): string {
  const url = arloStreamUrl(urlHost(options.listenAddress), options.port, `/${encodeURIComponent(options.deviceId)}`);
  if (!options.credentials || isLoopbackAddress(options.listenAddress)) return url;
  return credentialsInUrl(url, options.credentials.username, withPassword ? options.credentials.password : undefined);
}

/** The host to put in a copyable URL: the listen address, or this machine's LAN address for a wildcard. */
function urlHost(listenAddress: string): string {
  if (listenAddress !== '0.0.0.0' && listenAddress !== '::' && listenAddress !== '') return listenAddress;
  for (const addresses of Object.values(networkInterfaces())) {
    const lan = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (lan) return lan.address;
  }
  return '127.0.0.1';
}
