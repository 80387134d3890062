// The session to a base station for one camera (PROTOCOL.md §5): mutual TLS with the enrolled
// client certificate, FFmpeg-shaped RTSP with the Nonce on every request, DESCRIBE, SETUP of every
// track, PLAY, keep-alives, TEARDOWN. Media `$` frames go straight to `onFrame`, never through RTSP
// parsing beyond the reader's 4-byte peek.
//
//   const upstream = await UpstreamSession.open(options, { onFrame, onState, onClose, onIdentity });
//   upstream.tracks  // what the base station streams, channel pairs 0-1, 2-3, ...
//   await upstream.close();  // TEARDOWN (with its Nonce), then the socket ends

import type { X509Certificate } from 'node:crypto';
import { isIP, type ConnectOpts } from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log.js';
import { createSerial } from '../serial.js';
import { cseqOf, makeRequest, makeResponse, serializeMessage, sessionIdOf, sessionTimeoutOf, type RtspMessage, type RtspRequest, type RtspResponse } from '../rtsp/message.js';
import { NONCE_HEADER, NonceSequence, parseNonce } from '../rtsp/nonce.js';
import { RtspReader, frameBytes } from '../rtsp/reader.js';
import { authorityOf, refusesUrlHost, requestUrl, type UrlHost } from '../rtsp/url-host.js';
import { controlOf, parseSdp, resolveControlUrl, type SessionDescription } from '../rtsp/sdp.js';
import type { VideoCodecName } from '../rtsp/keyframe.js';
import {
  Redirected,
  StreamError,
  closedByBaseStation,
  connectTimeout,
  connectionError,
  fingerprintChanged,
  responseError,
  redirectedToStranger,
  responseTimeout,
} from './errors.js';
import { RecordSlab } from './record-slab.js';
import { checkPin, identityOf, pinsAnew, type PeerIdentity, type Pin } from './identity.js';
import { trackOf } from './source.js';

/** The Arlo app's player (ijkplayer on FFmpeg); the base station has only seen this client. */
export const USER_AGENT = 'ijkplayer-android-6.2.2';

export interface UpstreamOptions {
  host: string;
  port: number;
  /** The stream's path, from `arloStreamPath`. */
  path: string;
  certificatePem: string;
  privateKeyPem: string;
  /** The base station's pinned identity (identity.ts), when pinned. */
  pin?: Pin;
  /**
   * How request URLs name the base station, in the order to try (url-host.ts); the connection goes
   * to `host` whatever they name. Default: the address, `host:port`.
   */
  urlHosts?: readonly UrlHost[];
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  logger: Logger;
}

export type UpstreamPhase = 'connecting' | 'handshake' | 'media';

export interface UpstreamHooks {
  /**
   * Every media packet: the track it belongs to, whether it is RTCP, a view of its bytes, and a
   * view of the whole interleaved frame as received (`$`, channel, length, then `packet`'s bytes).
   */
  onFrame(track: UpstreamTrack, rtcp: boolean, packet: Buffer, frame: Buffer): void;
  onPhase?(phase: UpstreamPhase): void;
  /**
   * The base station's identity, to pin: nothing was pinned yet, or the pin is brought up to date
   * (its key added to an old pin, or the fingerprint of a certificate re-issued on the pinned key).
   * Reported only once the peer has answered an RTSP request with a Nonce: a stranger that accepts
   * TLS but speaks no Arlo RTSP is never pinned.
   */
  onIdentity?(identity: PeerIdentity): void;
  /** A keep-alive got a non-2xx answer or none in time; logged and counted, the session goes on. */
  onKeepAliveFailure?(detail: string): void;
  /** The session ended without `close()`: the base station dropped it or stopped answering. */
  onClose?(error: StreamError): void;
  /** Every connection and RTSP message either way, as they pass (not frames: `onFrame` has those): a field capture's tap. */
  onWire?(event: WireEvent): void;
  /** The session plays: how its URLs named the base station, and the forms refused before. */
  onUrlHost?(outcome: UrlHostOutcome): void;
}

/** A URL host form the base station refused, and its answer's status. */
export interface RefusedUrlHost extends UrlHost {
  status: number;
}

export interface UrlHostOutcome {
  used: UrlHost;
  refused: RefusedUrlHost[];
}

/** What `onWire` sees: each connection once TLS is up (a redirect makes another), then its messages in order. */
export type WireEvent =
  | { kind: 'connected'; url: string; socket: tls.TLSSocket; certificate: X509Certificate | undefined }
  | { kind: 'sent' | 'received'; message: RtspMessage };

export interface UpstreamTrack {
  /** Position of the track's media section in the SDP. */
  index: number;
  kind: string;
  /** Set for H.264/H.265 video, whose keyframes the hub looks for. */
  codec?: VideoCodecName;
  /** RTP clock rate from the rtpmap (90000 for video). */
  clockRate: number;
  rtpChannel: number;
}

/** Where the first packet of each track will be, from the PLAY answer's RTP-Info. */
export type RtpStart = Map<number, { sequence: number; timestamp: number }>;

/**
 * How long a battery camera may take to wake, wherever the base station makes us wait for it (an
 * answer, or the first media after PLAY's answer): FFmpeg, behind every working client, waits
 * forever; 30 s is the floor.
 */
export const CAMERA_WAKE_MS = 30_000;
/** TCP and TLS answer at once when the base station is there; the RTSP exchange may wait for a wake. */
const DEFAULTS = { connectTimeoutMs: 10_000, responseTimeoutMs: CAMERA_WAKE_MS };
/** The most a TLS record carries (RFC 8446 §5.1): Node hands a read at most this much. */
const MAX_TLS_RECORD_PLAINTEXT = 16 * 1024;
/** TEARDOWN is a courtesy when we leave: never wait long for it. */
const TEARDOWN_TIMEOUT_MS = 2_000;
/** CSeqs of requests given up on, kept to recognise their late answers; a few keep-alives' worth. */
const MAX_ABANDONED = 16;
/**
 * FFmpeg follows a 3xx answer to OPTIONS, DESCRIBE or SETUP by starting over at its `Location`
 * (PLAY's is an error); it sets no limit, we stop after a few so a loop cannot spin.
 */
const REDIRECTABLE = new Set(['OPTIONS', 'DESCRIBE', 'SETUP']);
const MAX_REDIRECTS = 5;

/** Thrown by `#openAt` when the answer to OPTIONS or DESCRIBE refused the URL's host form. */
class UrlHostRefused extends Error {
  constructor(readonly error: StreamError, readonly status: number) {
    super(error.message);
  }
}

/**
 * Where a connection goes and how its URLs name the base station; `redirectedFrom` names the base
 * station that sent it there.
 */
type Target = UpstreamOptions & { urlHost: UrlHost; redirectedFrom?: string };

interface Pending {
  method: string;
  /** The request's CSeq: a late answer to an earlier request (a keep-alive given up on) is not this one's. */
  cseq: number;
  resolve(response: RtspResponse): void;
  reject(error: StreamError): void;
  timer: NodeJS.Timeout | undefined;
}

export class UpstreamSession {
  readonly url: string;
  /** The SDP as the base station sent it. */
  readonly sdpText: string;
  readonly sdp: SessionDescription;
  readonly tracks: readonly UpstreamTrack[];

  readonly #conn: Connection;

  private constructor(conn: Connection, url: string, sdpText: string, sdp: SessionDescription, tracks: UpstreamTrack[]) {
    this.#conn = conn;
    this.url = url;
    this.sdpText = sdpText;
    this.sdp = sdp;
    this.tracks = tracks;
  }

  /**
   * Connects, DESCRIBEs, SETs UP every track and PLAYs; rejects with a classified `StreamError`.
   * A redirect is followed to any host, port and path, as FFmpeg follows it, on a new connection
   * with the same client certificate, a Nonce count from 0, and the redirecting base station's key
   * required of the new peer (what it presented, which matched the pin if there is one), so the
   * session never leaves the base station that the user pinned.
   */
  static async open(options: UpstreamOptions, hooks: UpstreamHooks): Promise<UpstreamSession> {
    const hosts = options.urlHosts?.length ? options.urlHosts : [{ form: 'address' as const, authority: authorityOf(options.host, options.port) }];
    const refused: RefusedUrlHost[] = [];
    let first: StreamError | undefined;
    for (const urlHost of hosts) {
      try {
        const session = await UpstreamSession.#follow({ ...options, urlHost }, hooks);
        hooks.onUrlHost?.({ used: urlHost, refused });
        return session;
      } catch (error) {
        if (!(error instanceof UrlHostRefused)) throw error;
        refused.push({ ...urlHost, status: error.status });
        first ??= error.error;
      }
    }
    // Every form refused: the first form's answer says why, the others that they were no better.
    const tried = refused.map((r) => `${r.authority} (${r.status})`).join(', ');
    throw new StreamError(first!.code, refused.length > 1 ? `${first!.message} [URLs naming the base station as ${tried} all refused]` : first!.message, { cause: first, status: first!.status });
  }

  /** Opens at `options`, following redirects as FFmpeg does. */
  static async #follow(options: Target, hooks: UpstreamHooks): Promise<UpstreamSession> {
    let target = options;
    for (let redirects = 0; ; redirects++) {
      try {
        return await UpstreamSession.#openAt(target, hooks);
      } catch (error) {
        if (!(error instanceof Redirected)) throw error;
        const from = `${target.host}:${target.port}`;
        if (redirects === MAX_REDIRECTS) throw new StreamError('protocol', `the base station at ${from} redirected more than ${MAX_REDIRECTS} times in a row`);
        target = { ...target, ...redirectTarget(error, target), redirectedFrom: from };
      }
    }
  }

  static async #openAt(options: Target, hooks: UpstreamHooks): Promise<UpstreamSession> {
    const conn = new Connection(options, hooks);
    try {
      hooks.onPhase?.('connecting');
      await conn.connect();
      hooks.onPhase?.('handshake');
      const url = conn.url;
      const offered = await conn.request('OPTIONS', url).catch(urlHostRefusal);
      conn.keepAliveMethod = /\bGET_PARAMETER\b/i.test(offered.headers.get('Public') ?? '') ? 'GET_PARAMETER' : 'OPTIONS';

      const described = await conn.request('DESCRIBE', url, { Accept: 'application/sdp' }).catch(urlHostRefusal);
      const sdpText = described.body.toString('utf8');
      const sdp = parseSdp(sdpText);
      const base = described.headers.get('Content-Base') ?? described.headers.get('Content-Location') ?? url;
      const tracks: UpstreamTrack[] = [];
      for (const [index, media] of sdp.media.entries()) {
        const rtpChannel = tracks.length * 2;
        const control = resolveControlUrl(base, controlOf(media) ?? '*');
        const setup = await conn.request('SETUP', control, {
          Transport: `RTP/AVP/TCP;unicast;interleaved=${rtpChannel}-${rtpChannel + 1}`,
        });
        conn.startKeepAlive(setup);
        const channel = /interleaved=(\d+)/.exec(setup.headers.get('Transport') ?? '')?.[1];
        tracks.push(trackOf(media, index, channel === undefined ? rtpChannel : Number(channel)));
      }
      if (tracks.length === 0) throw new StreamError('protocol', `the base station at ${conn.where} described no media`);
      for (const track of tracks) conn.channels.set(track.rtpChannel, track);
      // FFmpeg's aggregate control URL: the session-level control against the Content-Base.
      conn.controlUrl = resolveControlUrl(base, controlOf(sdp) ?? '*');
      await conn.request('PLAY', conn.controlUrl, { Range: 'npt=0.000-' });
      conn.playing = true;
      hooks.onPhase?.('media');
      return new UpstreamSession(conn, url, sdpText, sdp, tracks);
    } catch (error) {
      conn.destroy();
      throw error instanceof StreamError || error instanceof UrlHostRefused ? error : new StreamError('protocol', String(error), { cause: error });
    }
  }

  /** TEARDOWN with its Nonce, then the connection closes. Never throws. */
  async close(): Promise<void> {
    await this.#conn.teardown();
  }
}

/** A refused OPTIONS or DESCRIBE whose status may be about the URL's host form, as `UrlHostRefused`. */
function urlHostRefusal(error: unknown): never {
  if (error instanceof StreamError && error.status !== undefined && refusesUrlHost(error.status)) throw new UrlHostRefused(error, error.status);
  throw error;
}

/**
 * The host, port, path, URL host and required identity of a redirect's `Location` (an `rtsp:` or
 * `rtsps:` URL). A Location that names the base station by the name our URLs gave it stays at the
 * same address (the name is never resolved); any other host is connected to as FFmpeg would.
 */
function redirectTarget(redirect: Redirected, from: Target): Pick<Target, 'host' | 'port' | 'path' | 'pin' | 'urlHost'> {
  let url: URL | undefined;
  try {
    url = new URL(redirect.location);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') || url.hostname === '' || redirect.identity === undefined) {
    throw new StreamError('protocol', `${redirect.message}, which is not an RTSP URL this app can follow`);
  }
  const path = `${url.pathname}${url.search}`;
  if (from.urlHost.form !== 'address' && url.hostname.toLowerCase() === from.urlHost.authority.toLowerCase()) {
    return { host: from.host, port: url.port === '' ? from.port : Number(url.port), path, pin: redirect.identity, urlHost: { form: from.urlHost.form, authority: url.host } };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 554 : Number(url.port);
  return { host, port, path, pin: redirect.identity, urlHost: { form: 'address', authority: authorityOf(host, port) } };
}

/** The TLS connection and the RTSP request/response exchange on it; one request in flight at a time. */
class Connection {
  readonly url: string;
  readonly where: string;
  controlUrl: string;
  keepAliveMethod: 'GET_PARAMETER' | 'OPTIONS' = 'OPTIONS';
  /** RTP channel (as the base station confirmed it) → track; RTCP is on the channel after. */
  readonly channels = new Map<number, UpstreamTrack>();
  playing = false;

  readonly #options: Target & typeof DEFAULTS;
  readonly #hooks: UpstreamHooks;
  /** Where TLS decrypts each record (`onread`); its bytes are copied out before the next. */
  readonly #readBuffer = Buffer.allocUnsafe(MAX_TLS_RECORD_PLAINTEXT);
  readonly #records = new RecordSlab();
  readonly #log: Logger;
  readonly #nonce = new NonceSequence((value) => this.#log.warn({ value }, 'the base station sent a Nonce that is not a number; counting on from ours'));
  readonly #reader = new RtspReader();
  #socket: tls.TLSSocket | undefined;
  #cseq = 0;
  /** The session id, from the first answer that names one (FFmpeg's rule), and that answer. */
  #session: string | undefined;
  #namedBy: RtspResponse | undefined;
  #pending: Pending | undefined;
  /** CSeqs of requests given up on (a keep-alive not answered in time): their answers may still come. */
  readonly #abandoned = new Set<number>();
  /** Requests wait their turn so that each carries the Nonce of the previous answer. */
  readonly #inTurn = createSerial();
  #keepAlive: NodeJS.Timeout | undefined;
  /** The base station's identity to pin once it has answered with a Nonce. */
  #toPin: PeerIdentity | undefined;
  /** What the peer presented at the handshake: a redirect's target must present the same key. */
  #identity: PeerIdentity | undefined;
  #closing = false;
  #closed = false;

  constructor(options: Target, hooks: UpstreamHooks) {
    this.#options = { ...DEFAULTS, ...options };
    this.#hooks = hooks;
    this.#log = options.logger;
    this.where = authorityOf(options.host, options.port);
    this.url = requestUrl(options.urlHost, options.path);
    this.controlUrl = this.url;
  }

  connect(): Promise<void> {
    const { host, port, certificatePem, privateKeyPem, connectTimeoutMs } = this.#options;
    return new Promise((resolve, reject) => {
      const options: tls.ConnectionOptions & ConnectOpts = {
        host,
        port,
        cert: certificatePem,
        key: privateKeyPem,
        minVersion: 'TLSv1.2',
        // The base station's certificate chains to nothing we have; its key is pinned instead (identity.ts).
        rejectUnauthorized: false,
        // No SNI for an address (RFC 6066 §3); a name (e.g. VMB5000.local) gets it.
        servername: isIP(host) ? '' : host,
        // Each TLS record is decrypted into one reused buffer and copied out at its size, next to
        // the record before (record-slab.ts), instead of a native allocation per record plus the
        // readable stream's push and 'data' per read: a base station that sends one RTP packet per
        // record makes this the per-packet path (docs/BENCHMARKS.md). The copy is ours to keep
        // (frames are views of it; continuity rewrites their headers in place).
        onread: { buffer: this.#readBuffer, callback: (length) => this.#onRead(length) },
      };
      const socket = tls.connect(options);
      this.#socket = socket;
      const timer = setTimeout(() => fail(connectTimeout(this.where, connectTimeoutMs)), connectTimeoutMs);
      const fail = (error: StreamError): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      let tcpConnected = false;
      socket.once('connect', () => (tcpConnected = true));
      socket.once('error', (error) => fail(connectionError(error, this.where, tcpConnected)));
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const certificate = socket.getPeerX509Certificate();
        const presented = certificate ? identityOf(certificate) : undefined;
        const { pin, redirectedFrom } = this.#options;
        const check = checkPin(pin, presented);
        if (check === 'changed') {
          fail(redirectedFrom ? redirectedToStranger(this.where, redirectedFrom) : fingerprintChanged(this.where, pin ?? {}, presented));
          return;
        }
        if (check === 'reissued') this.#log.info({ fingerprint: presented?.fingerprint }, 'the base station presented a re-issued certificate with the same key');
        if (check === 'keyed') this.#log.info('the pinned certificate answered: its key is pinned too (the pin predates key pinning)');
        this.#identity = presented;
        // A redirect's target is held to the redirecting base station's key; the pin stays that base station's.
        if (pinsAnew(check) && !redirectedFrom) this.#toPin = presented;
        socket.setNoDelay(true);
        socket.on('error', (error) => this.#fail(connectionError(error, this.where)));
        socket.on('close', () => this.#fail(closedByBaseStation(this.where)));
        this.#hooks.onWire?.({ kind: 'connected', url: this.url, socket, certificate });
        resolve();
      });
    });
  }

  /** Sends one request after the previous one is answered or given up on; rejects on a non-2xx answer. */
  request(method: string, uri: string, extra: Record<string, string> = {}, timeoutMs: number = this.#options.responseTimeoutMs): Promise<RtspResponse> {
    return this.#inTurn(() => this.#send(method, uri, extra, timeoutMs));
  }

  /** Called with each SETUP answer; the first starts the keep-alives. */
  startKeepAlive(setup: RtspResponse): void {
    if (this.#keepAlive !== undefined) return;
    // As FFmpeg does, keep-alives well within the session timeout, their answers only logged and
    // counted: whether the session is alive is judged by its media (the hub). Every third of the
    // timeout, each given up on before the next is due, so a base station that never answers them
    // still gets one every interval (FFmpeg sends them whatever came back). The Nonce follows the
    // rule either way: an unanswered request's successor carries the previous value + 1, and a late
    // answer's Nonce is still observed (matched by CSeq, it settles nothing). The timeout is that of
    // SETUP's Session, else of the answer that named the session (say, DESCRIBE's).
    const interval = Math.max(500, (sessionTimeoutOf(sessionIdOf(setup) === undefined ? (this.#namedBy ?? setup) : setup) * 1000) / 3);
    this.#keepAlive = setInterval(() => {
      if (!this.playing || this.#closing) return;
      this.request(this.keepAliveMethod, this.controlUrl, {}, interval * 0.9).catch((error: unknown) => {
        if (!this.#closing) this.#keepAliveFailed(error instanceof Error ? error.message : String(error));
      });
    }, interval);
    this.#keepAlive.unref();
  }

  #keepAliveFailed(detail: string): void {
    this.#log.info({ err: detail }, 'keep-alive not answered with success');
    this.#hooks.onKeepAliveFailure?.(detail);
  }

  async teardown(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    clearInterval(this.#keepAlive);
    // A keep-alive in flight is waited for (its answer's Nonce is the one TEARDOWN must follow),
    // but no longer than TEARDOWN itself would be.
    const pending = this.#pending;
    if (pending) {
      clearTimeout(pending.timer);
      this.#setDeadline(pending, TEARDOWN_TIMEOUT_MS);
    }
    try {
      await this.request('TEARDOWN', this.controlUrl, {}, TEARDOWN_TIMEOUT_MS);
    } catch (error) {
      this.#log.debug({ err: error }, 'TEARDOWN not answered');
    }
    this.destroy();
  }

  destroy(): void {
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.#socket?.destroy();
    if (this.#pending) {
      clearTimeout(this.#pending.timer);
      this.#pending.reject(closedByBaseStation(this.where));
      this.#pending = undefined;
    }
  }

  #send(method: string, uri: string, extra: Record<string, string>, timeoutMs: number): Promise<RtspResponse> {
    const socket = this.#socket;
    if (this.#closed || !socket || socket.destroyed) return Promise.reject(closedByBaseStation(this.where));
    // Header order as FFmpeg writes it: method headers, CSeq, User-Agent, Session; then the Nonce.
    const request = makeRequest(method, uri, { ...extra, CSeq: ++this.#cseq, 'User-Agent': USER_AGENT });
    if (this.#session !== undefined) request.headers.set('Session', this.#session);
    request.headers.set(NONCE_HEADER, this.#nonce.next());
    return new Promise((resolve, reject) => {
      const pending: Pending = { method, cseq: this.#cseq, resolve, reject, timer: undefined };
      this.#setDeadline(pending, timeoutMs);
      this.#pending = pending;
      this.#hooks.onWire?.({ kind: 'sent', message: request });
      socket.write(serializeMessage(request));
    });
  }

  #setDeadline(pending: Pending, ms: number): void {
    pending.timer = setTimeout(() => {
      if (this.#pending === pending) this.#pending = undefined;
      this.#abandon(pending.cseq);
      pending.reject(responseTimeout(this.where, pending.method, ms));
    }, ms);
  }

  #onRead(length: number): boolean {
    this.#reader.push(this.#records.copy(this.#readBuffer, length));
    for (let item = this.#reader.read(); item; item = this.#reader.read()) {
      if (item.kind === 'frame') {
        const rtcp = !this.channels.has(item.channel);
        const track = rtcp ? this.channels.get(item.channel - 1) : this.channels.get(item.channel);
        if (track) this.#hooks.onFrame(track, rtcp, item.payload, frameBytes(item));
      } else if (item.kind === 'response') {
        this.#onResponse(item);
      } else if (item.kind === 'request') {
        this.#onRequest(item);
      } else {
        this.#log.debug({ err: item.error.message }, 'unreadable bytes from the base station');
      }
    }
    return true;
  }

  /**
   * A request from the base station (none is known, but RTSP lets a server send one): answered as
   * FFmpeg answers it, 200 to OPTIONS with its CSeq and our Session, 501 to anything else, so a
   * server that checks its client is there gets an answer. Its Nonce is followed like a response's.
   */
  #onRequest(request: RtspRequest): void {
    this.#hooks.onWire?.({ kind: 'received', message: request });
    this.#nonce.observe(request);
    this.#log.debug({ method: request.method }, 'request from the base station answered');
    const answer = makeResponse(request.method === 'OPTIONS' ? 200 : 501);
    const cseq = cseqOf(request);
    if (cseq !== undefined) answer.headers.set('CSeq', cseq);
    if (this.#session !== undefined && request.method === 'OPTIONS') answer.headers.set('Session', this.#session);
    this.#hooks.onWire?.({ kind: 'sent', message: answer });
    this.#socket?.write(serializeMessage(answer));
  }

  #abandon(cseq: number): void {
    this.#abandoned.add(cseq);
    if (this.#abandoned.size > MAX_ABANDONED) this.#abandoned.delete(this.#abandoned.values().next().value!);
  }

  #onResponse(response: RtspResponse): void {
    this.#hooks.onWire?.({ kind: 'received', message: response });
    this.#nonce.observe(response);
    // As FFmpeg: the first answer that names a session (DESCRIBE's, a later SETUP's...) names it for
    // good, and every request from then on carries it.
    if (this.#session === undefined) {
      this.#session = sessionIdOf(response);
      if (this.#session !== undefined) this.#namedBy = response;
    }
    if (this.#toPin !== undefined && parseNonce(response.headers.get(NONCE_HEADER)) !== undefined) {
      this.#hooks.onIdentity?.(this.#toPin);
      this.#toPin = undefined;
    }
    // A late answer to a request given up on settles nothing (its Nonce is kept above). Any other
    // answer is the one in flight's, whatever CSeq it carries: FFmpeg only warns on a mismatch, so
    // a base station that echoes CSeq wrongly or not at all still works with every known client.
    const cseq = cseqOf(response);
    if (cseq !== undefined && this.#abandoned.delete(cseq)) {
      this.#log.debug({ cseq }, 'late answer to a request given up on; its Nonce is kept');
      return;
    }
    const pending = this.#pending;
    if (!pending) return;
    if (cseq !== pending.cseq) this.#log.debug({ cseq, expected: pending.cseq }, 'answer with another CSeq than its request; taken as its answer');
    this.#pending = undefined;
    clearTimeout(pending.timer);
    const location = response.headers.get('Location')?.trim();
    if (response.status >= 200 && response.status < 300) pending.resolve(response);
    else if (response.status >= 300 && response.status < 400 && location && REDIRECTABLE.has(pending.method)) {
      pending.reject(new Redirected(this.where, pending.method, location, this.#identity));
    } else pending.reject(responseError(this.where, pending.method, response));
  }

  /** The session is over without `close()`: tell the owner once. */
  #fail(error: StreamError): void {
    if (this.#closed || this.#closing) return;
    this.destroy();
    if (this.playing) this.#hooks.onClose?.(error);
  }
}
