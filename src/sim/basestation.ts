// A simulated Arlo base station, as strict as PROTOCOL.md §5 describes the real one: RTSP over
// TLS 1.2 that fails the handshake of any client certificate not issued by the CA or revoked,
// the Nonce rule on every request, one stream per camera, five per base station, sessions that
// die without keep-alives. `plain: true` drops TLS and the Nonce rule so stock ffmpeg can talk to it.
//
//   const station = new SimBaseStation({ ca, cameras: [{ deviceId: 'CAM1', codecs: ['avc'] }] });
//   const { port } = await station.start();   // rtsp://127.0.0.1:<port>/CAM1/tcp/avc
//   ...
//   await station.stop();

import net, { type Server, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { VideoCodec } from '../shared/api.js';
import type { Capture } from '../main/capture/format.js';
import { arloStreamPath, arloStreamUrl, parseArloStreamPath } from '../main/rtsp/url.js';
import { createSelfSignedServerCertificate, type SimCertificateAuthority } from './ca.js';
import { SimConnection, type Refusal, type ResolvedStream, type StationContext } from './connection.js';
import type { SimQuirks } from './quirks.js';
import { ReplayConnection } from './replay-connection.js';
import { ReplayPlan } from './replay.js';
import { loadMedia, type SimMedia, type SourceOption } from './source.js';
import { emptyStats, type SimBaseStationStats } from './stats.js';

export interface SimCamera {
  deviceId: string;
  codecs: VideoCodec[];
  /** A camera that is its own base station: served at `/<deviceId>` with its first codec. */
  ownBaseStation?: boolean;
}

export interface SimBaseStationOptions {
  ca: SimCertificateAuthority;
  cameras: SimCamera[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** No TLS and no Nonce rule: a debug mode for stock RTSP clients. */
  plain?: boolean;
  sessionTimeoutSeconds?: number;
  maxSessions?: number;
  source?: SourceOption;
  /** How this base station differs from the default one, within RFC 2326 and PROTOCOL.md (see quirks.ts). */
  quirks?: SimQuirks;
  /** Its own TLS certificate and key; a fresh one by default. The same identity at another address is the same base station moved. */
  identity?: { certPem: string; keyPem: string };
  /**
   * Behave as the base station of this field capture did (replay.ts): its answers, Nonces, SDP and
   * media timing; `cameras` should be `camerasOfCapture(capture)`. Quirks and `plain` do not apply.
   */
  replay?: Capture;
  /**
   * Its `uniqueId` on the account: a client certificate the cloud issued for another base station
   * (another uniqueId in its subject's OU) is refused, the connection closed as soon as TLS is up.
   */
  uniqueId?: string;
}

export class SimBaseStation implements StationContext {
  readonly stats: SimBaseStationStats = emptyStats();
  readonly plain: boolean;
  readonly sessionTimeoutSeconds: number;
  readonly host: string;
  readonly maxSessions: number;
  readonly quirks: SimQuirks;
  /** The base station's self-signed certificate (PEM), known after `start()`; clients pin it. */
  serverCertificatePem: string | undefined;

  readonly #options: SimBaseStationOptions;
  readonly #media = new Map<VideoCodec, SimMedia>();
  readonly #streamingCameras = new Set<string>();
  readonly #sockets = new Set<Socket>();
  readonly #connections = new Set<SimConnection | ReplayConnection>();
  readonly #replay: ReplayPlan | undefined;
  /** Cameras another app streams (fault injection): their SETUP is refused 453. */
  readonly #occupied = new Set<string>();
  #server: Server | undefined;
  #port = 0;
  #faults: { status: number; reason?: string; method?: string }[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(options: SimBaseStationOptions) {
    this.#options = options;
    this.#replay = options.replay ? new ReplayPlan(options.replay) : undefined;
    if (this.#replay && options.plain) throw new Error('a replay is strict as the recorded base station was: mutual TLS and the Nonce rule, never plain');
    this.plain = options.plain ?? false;
    this.sessionTimeoutSeconds = options.sessionTimeoutSeconds ?? 60;
    this.host = options.host ?? '127.0.0.1';
    this.maxSessions = options.maxSessions ?? 5;
    this.quirks = this.#replay ? { legacyTls: this.#replay.legacyTls } : (options.quirks ?? {});
  }

  get port(): number {
    return this.#port;
  }

  get cameras(): readonly SimCamera[] {
    return this.#options.cameras;
  }

  async start(): Promise<{ port: number }> {
    if (this.#server) return { port: this.#port };
    const codecs = new Set(this.#options.cameras.flatMap((c) => c.codecs));
    for (const codec of codecs) this.#media.set(codec, await loadMedia(codec, this.#options.source));

    const server = this.plain ? net.createServer() : await this.#createTlsServer();
    server.on(this.plain ? 'connection' : 'secureConnection', (socket: Socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 0, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
    return { port: this.#port };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#unsubscribe?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Fault injection: resets every client connection at once (TCP RST where possible), mid-stream or not. */
  disconnectAll(): void {
    for (const socket of this.#sockets) {
      const raw = (socket as TLSSocket & { _parent?: Socket })._parent ?? socket;
      if (typeof raw.resetAndDestroy === 'function' && !raw.destroyed) raw.resetAndDestroy();
      socket.destroy();
    }
  }

  /**
   * Fault injection: the next request (of `method`, if given) that passes the Nonce check is answered
   * with this status instead of being served. Faults queue in order.
   */
  respondNextWith(status: number, options: { method?: string; reason?: string } = {}): void {
    this.#faults.push({ status, ...options });
  }

  /**
   * Fault injection: every session playing now stops sending media while its connection stays
   * open and keep-alives are still answered (a camera that froze); new sessions stream as usual.
   */
  pauseMedia(): void {
    for (const connection of this.#connections) connection.pauseMedia();
  }

  /**
   * Fault injection: another app (the Arlo app's live view, say) streams this camera: SETUP is
   * refused 453 until the returned function releases it.
   */
  occupyCamera(cameraId: string): () => void {
    this.#occupied.add(cameraId);
    return () => this.#occupied.delete(cameraId);
  }

  /** The URL of a camera's stream on this base station. */
  urlFor(deviceId: string, codec?: VideoCodec): string {
    const camera = this.#options.cameras.find((c) => c.deviceId === deviceId);
    if (!camera) throw new Error(`no simulated camera ${deviceId}`);
    const path = arloStreamPath(deviceId, { ownBaseStation: camera.ownBaseStation, codec: codec ?? camera.codecs[0] });
    return arloStreamUrl(this.host, this.#port, path);
  }

  // --- StationContext, for connections ---

  resolveStream(path: string): ResolvedStream | Refusal {
    const parsed = parseArloStreamPath(path);
    const camera = parsed && this.#options.cameras.find((c) => c.deviceId === parsed.cameraId);
    if (!parsed || !camera) return { status: 404, reason: 'Not Found (no such camera)' };
    if (Boolean(camera.ownBaseStation) !== (parsed.codec === undefined)) {
      return { status: 404, reason: camera.ownBaseStation ? 'Not Found (this camera takes no /tcp/<codec> suffix)' : 'Not Found (path needs /tcp/<avc|hevc>)' };
    }
    const codec = parsed.codec ?? camera.codecs[0];
    const media = codec && camera.codecs.includes(codec) ? this.#media.get(codec) : undefined;
    if (!media) return { status: 404, reason: `Not Found (camera does not offer ${parsed.codec ?? 'any codec'})` };
    return { cameraId: camera.deviceId, media };
  }

  claimSession(cameraId: string): Refusal | undefined {
    if (this.#streamingCameras.has(cameraId) || this.#occupied.has(cameraId)) return { status: 453, reason: 'Not Enough Bandwidth (camera already streaming)' };
    if (this.#streamingCameras.size >= this.maxSessions) {
      return { status: 453, reason: `Not Enough Bandwidth (base station limit of ${this.maxSessions} streams reached)` };
    }
    this.#streamingCameras.add(cameraId);
    this.stats.sessionsOpened++;
    this.stats.activeSessions = this.#streamingCameras.size;
    return undefined;
  }

  releaseSession(cameraId: string): void {
    this.#streamingCameras.delete(cameraId);
    this.stats.activeSessions = this.#streamingCameras.size;
  }

  takeFault(method: string): Refusal | undefined {
    const index = this.#faults.findIndex((f) => f.method === undefined || f.method === method);
    if (index < 0) return undefined;
    const [fault] = this.#faults.splice(index, 1);
    return fault;
  }

  async #createTlsServer(): Promise<tls.Server> {
    const { ca } = this.#options;
    const legacy = this.quirks.legacyTls ?? false;
    const identity = this.#options.identity ?? (await createSelfSignedServerCertificate('arlo-basestation.local', { legacy }));
    this.serverCertificatePem = identity.certPem;
    const secureOptions = (): tls.SecureContextOptions => ({
      key: identity.keyPem,
      cert: identity.certPem,
      ca: ca.certificatePem,
      crl: ca.crlPem(),
      minVersion: 'TLSv1.2',
      // The real base station speaks TLS 1.2, where a rejected client certificate fails the
      // client's handshake itself (under 1.3 the client would think it connected first).
      maxVersion: 'TLSv1.2',
      ...(legacy ? { ciphers: 'AES128-SHA:AES256-SHA' } : {}),
    });
    const server = tls.createServer({ ...secureOptions(), requestCert: true, rejectUnauthorized: true });
    server.on('connection', () => this.stats.connections++);
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.stats.tlsRejected++;
      this.stats.lastTlsError = String(socket.authorizationError ?? error.code ?? error.message);
    });
    // New handshakes see the new CRL; connections already up keep going (nothing says the real one cuts them).
    this.#unsubscribe = ca.onRevocation(() => server.setSecureContext(secureOptions()));
    return server;
  }

  /** The client certificate names another base station than this one (see `uniqueId`). */
  #issuedForAnother(socket: TLSSocket): boolean {
    const own = this.#options.uniqueId;
    const forDevice = socket.getPeerCertificate().subject?.OU;
    return own !== undefined && forDevice !== undefined && forDevice !== own;
  }

  #accept(socket: Socket): void {
    if (this.plain) this.stats.connections++;
    if (!this.plain && this.#issuedForAnother(socket as TLSSocket)) {
      this.stats.tlsRejected++;
      this.stats.lastTlsError = 'client certificate issued for another base station';
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.setNoDelay(true);
    const replayMedia = this.#replay && this.#media.get(this.#replay.capture.camera.codec);
    const connection = this.#replay && replayMedia ? new ReplayConnection(socket, this, this.#replay, replayMedia) : new SimConnection(socket, this);
    this.#connections.add(connection);
    socket.on('close', () => this.#connections.delete(connection));
  }
}
