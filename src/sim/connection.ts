// One client connection to the simulated base station: reads RTSP with the real incremental
// reader, enforces the Nonce rule on every request (unless plain), and runs at most one session
// (SETUP → PLAY → TEARDOWN) whose media goes back interleaved on the same connection.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { makeRequest, makeResponse, serializeMessage, withBody, type RtspRequest, type RtspResponse } from '../main/rtsp/message.js';
import { NONCE_HEADER, parseNonce } from '../main/rtsp/nonce.js';
import { RtspReader } from '../main/rtsp/reader.js';
import { AUDIO_PAYLOAD_TYPE, VIDEO_PAYLOAD_TYPE, describeMedia, trackCount } from './describe.js';
import { NonceVerifier } from './nonce-verifier.js';
import { RtpPacketizer } from './packetizer.js';
import { MediaPump, type TrackSetup } from './pump.js';
import { RecordWriter, SplitWriter, looseContentLength, looseResponse, lowerCaseHeaders, refusedUrlHost, type SimQuirks } from './quirks.js';
import type { SimMedia } from './source.js';
import { recordRequest, type SimBaseStationStats } from './stats.js';

/** What a connection needs from its base station. */
export interface StationContext {
  readonly plain: boolean;
  readonly sessionTimeoutSeconds: number;
  readonly stats: SimBaseStationStats;
  readonly quirks: SimQuirks;
  /** The stream a URL path names, or the refusal to send. */
  resolveStream(path: string): ResolvedStream | Refusal;
  /** Takes the camera's one stream slot and a base-station slot, or says why not. */
  claimSession(cameraId: string): Refusal | undefined;
  releaseSession(cameraId: string): void;
  /** A fault-injection answer for this request, if one is armed. */
  takeFault(method: string): Refusal | undefined;
}

export interface ResolvedStream {
  cameraId: string;
  media: SimMedia;
}

export interface Refusal {
  status: number;
  reason?: string;
}

const METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN';
/** Media waiting in the socket beyond this is a client not keeping up: further frames are dropped. */
const MAX_PENDING_BYTES = 1024 * 1024;

interface Session {
  id: string;
  cameraId: string;
  /** Path of the stream (no track suffix); every later request must name the same one. */
  streamPath: string;
  media: SimMedia;
  tracks: Map<number, TrackSetup>;
  pump?: MediaPump;
  /** The `mediaDelayMs` quirk's wait before the pump starts. */
  mediaDelay?: NodeJS.Timeout;
}

export class SimConnection {
  readonly #reader = new RtspReader();
  readonly #verifier: NonceVerifier | undefined;
  readonly #splitter: SplitWriter | undefined;
  readonly #records: RecordWriter | undefined;
  #session: Session | undefined;
  /** The session id the `sessionAtDescribe` quirk gave on DESCRIBE's answer. */
  #describedId: string | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** The CSeq of a keep-alive whose answer the `late` quirk holds until the next request arrives. */
  #heldAnswer: string | undefined;
  /** The `asksClientMs` quirk's requests to the client. */
  #asking: NodeJS.Timeout | undefined;
  #ownCSeq = 0;

  constructor(
    private readonly socket: Socket,
    private readonly station: StationContext,
  ) {
    this.#verifier = station.plain ? undefined : new NonceVerifier(station.quirks.nonceStyle);
    this.#splitter = station.quirks.splitRecords ? new SplitWriter(socket) : undefined;
    this.#records = station.quirks.recordPerPacket ? new RecordWriter(socket) : undefined;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => this.#close());
    socket.on('error', () => socket.destroy());
    this.#armIdleTimer();
  }

  /** Stops this connection's media (if playing); the session and the connection stay. */
  pauseMedia(): void {
    this.#session?.pump?.stop();
  }

  #onData(chunk: Buffer): void {
    this.#reader.push(chunk);
    for (let item = this.#reader.read(); item && !this.socket.destroyed; item = this.#reader.read()) {
      if (item.kind === 'request') this.#schedule(item);
      else if (item.kind === 'response') {
        if (item.status >= 200 && item.status < 300) this.station.stats.clientAnswers++;
      } else if (item.kind === 'error') {
        this.#send(this.#response(item.error.status, undefined, item.error.message));
        if (item.error.code !== 'garbage' && item.error.code !== 'malformed') this.socket.destroy();
      }
      // Interleaved frames from the client (RTCP receiver reports) are ignored.
    }
  }

  /** A request of a `slowMethods` method is handled after `slowMs`; clients send one request at a time. */
  #schedule(request: RtspRequest): void {
    const { slowMethods, slowMs } = this.station.quirks;
    if (!slowMs || !slowMethods?.includes(request.method)) return this.#handle(request);
    // The base station is the slow one: its own idle clock waits too, restarting with the answer.
    clearTimeout(this.#idleTimer);
    const timer = setTimeout(() => {
      if (!this.socket.destroyed) this.#handle(request);
    }, slowMs);
    this.socket.once('close', () => clearTimeout(timer));
  }

  #handle(request: RtspRequest): void {
    const nonceHeader = request.headers.get(NONCE_HEADER);
    const held = this.#heldAnswer;
    this.#heldAnswer = undefined;
    const response = this.#answer(request);
    recordRequest(this.station.stats, { method: request.method, uri: request.uri, nonce: nonceHeader, status: response?.status ?? 0 });
    if (response) this.#send(response);
    // Written after this request's own answer: the Nonces must reach the client in the order issued.
    if (held !== undefined) this.#send(this.#response(200, held));
  }

  /** A keep-alive's answer under the `keepAliveAnswer` quirk: a status, `null` for none, undefined to serve it normally. */
  #keepAliveQuirk(request: RtspRequest, cseq: string): RtspResponse | null | undefined {
    const quirk = this.station.quirks.keepAliveAnswer;
    const keepAlive = (request.method === 'GET_PARAMETER' || request.method === 'OPTIONS') && this.#session?.pump !== undefined;
    if (quirk === undefined || !keepAlive) return undefined;
    if (quirk === 'late') {
      this.#heldAnswer = cseq;
      return null;
    }
    return quirk === 'never' ? null : this.#response(quirk, cseq);
  }

  #answer(request: RtspRequest): RtspResponse | null {
    const cseq = request.headers.get('CSeq');
    if (cseq === undefined || !/^\d+$/.test(cseq.trim())) return this.#response(400, undefined, 'Bad Request (missing CSeq)');
    const isTeardown = request.method === 'TEARDOWN';
    if (isTeardown) this.station.stats.teardowns++;

    if (this.#verifier && !this.#verifier.check(parseNonce(request.headers.get(NONCE_HEADER)))) {
      this.station.stats.nonceViolations++;
      return this.#response(400, cseq);
    }
    if (isTeardown) this.station.stats.teardownsWithValidNonce++;
    this.#armIdleTimer();

    const fault = this.station.takeFault(request.method);
    if (fault) return this.#response(fault.status, cseq, fault.reason);
    const keepAlive = this.#keepAliveQuirk(request, cseq);
    if (keepAlive !== undefined) return keepAlive;

    const wrongHost = refusedUrlHost(this.station.quirks.urlHost, request.uri);
    if (wrongHost) return this.#response(404, cseq, wrongHost);
    const { redirect } = this.station.quirks;
    if (redirect && request.method === 'DESCRIBE') {
      return this.#response(redirect.status, cseq, undefined, { Location: `${redirect.to}${new URL(request.uri).pathname}` });
    }
    switch (request.method) {
      case 'OPTIONS':
        return this.#response(200, cseq, undefined, { Public: METHODS });
      case 'DESCRIBE':
        return this.#describe(request, cseq);
      case 'SETUP':
        return this.#setup(request, cseq);
      case 'PLAY':
        return this.#play(request, cseq);
      case 'GET_PARAMETER':
        return this.#checkSession(request, cseq) ?? this.#response(200, cseq);
      case 'TEARDOWN':
        return this.#checkSession(request, cseq) ?? (this.#endSession(), this.#response(200, cseq));
      default:
        return this.#response(501, cseq, undefined, { Public: METHODS });
    }
  }

  #describe(request: RtspRequest, cseq: string): RtspResponse {
    const accept = request.headers.get('Accept');
    if (accept !== undefined && !/application\/sdp|\*\/\*/i.test(accept)) return this.#response(406, cseq);
    const target = this.#target(request.uri);
    if ('status' in target) return this.#response(target.status, cseq, target.reason);
    if (target.track !== undefined) return this.#response(404, cseq, 'Not Found (DESCRIBE names a stream, not a track)');
    const base = request.uri.endsWith('/') ? request.uri : `${request.uri}/`;
    const { quirks } = this.station;
    if (quirks.sessionAtDescribe) this.#describedId ??= newSessionId();
    const response = this.#response(200, cseq, undefined, {
      ...(quirks.noContentBase ? {} : { 'Content-Base': base }),
      ...(this.#describedId === undefined ? {} : { Session: `${this.#describedId};timeout=${this.station.sessionTimeoutSeconds}` }),
    });
    const sdp = describeMedia(target.stream.media, this.socket.localAddress ?? '127.0.0.1', base, quirks);
    return withBody(response, sdp, 'application/sdp');
  }

  #setup(request: RtspRequest, cseq: string): RtspResponse {
    const target = this.#target(request.uri);
    if ('status' in target) return this.#response(target.status, cseq, target.reason);
    const { stream, track, streamPath } = target;
    if (track === undefined || track >= trackCount(stream.media, this.station.quirks)) return this.#response(404, cseq, 'Not Found (no such track)');

    const transport = request.headers.get('Transport') ?? '';
    const interleaved = /(?:^|;)\s*interleaved=(\d+)-(\d+)\s*(?:;|$)/.exec(transport);
    const parts = transport.split(';').map((p) => p.trim());
    if (parts[0] !== 'RTP/AVP/TCP' || !parts.includes('unicast') || !interleaved || Number(interleaved[2]) !== Number(interleaved[1]) + 1) {
      return this.#response(461, cseq, 'Unsupported Transport (only RTP/AVP/TCP;unicast;interleaved=a-b)');
    }
    const channel = Number(interleaved[1]) + (this.station.quirks.channelShift ?? 0);
    if (channel > 254) return this.#response(461, cseq, 'Unsupported Transport (channel out of range)');

    let session = this.#session;
    if (session) {
      const refused = this.#checkSession(request, cseq, true);
      if (refused) return refused;
      if (session.streamPath !== streamPath) return this.#response(459, cseq);
      if (session.pump) return this.#response(455, cseq, 'Method Not Valid in This State (already playing)');
    } else {
      const described = this.#describedId;
      if (described !== undefined && request.headers.get('Session')?.split(';')[0]?.trim() !== described) {
        return this.#response(454, cseq, 'Session Not Found (SETUP must name the session DESCRIBE gave)');
      }
      const refusal = this.station.claimSession(stream.cameraId);
      if (refusal) return this.#response(refusal.status, cseq, refusal.reason);
      session = { id: described ?? newSessionId(), cameraId: stream.cameraId, streamPath, media: stream.media, tracks: new Map() };
      this.#session = session;
    }
    const packetizer = new RtpPacketizer(track === 0 ? VIDEO_PAYLOAD_TYPE : AUDIO_PAYLOAD_TYPE);
    session.tracks.set(track, { channel, packetizer });
    const ssrc = packetizer.ssrc.toString(16).toUpperCase().padStart(8, '0');
    return this.#response(200, cseq, undefined, {
      Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1};ssrc=${ssrc};mode="PLAY"`,
      ...this.#sessionHeader(session),
    });
  }

  #play(request: RtspRequest, cseq: string): RtspResponse {
    const refused = this.#checkSession(request, cseq, true);
    if (refused) return refused;
    const session = this.#session!;
    const video = session.tracks.get(0);
    if (!video) return this.#response(455, cseq, 'Method Not Valid in This State (SETUP the video track first)');
    const audio = session.tracks.get(1);
    const base = this.#baseUrl(request.uri);
    const rtpInfo = [...session.tracks].map(([track, setup]) =>
      `url=${base}trackID=${track};seq=${setup.packetizer.nextSequence};rtptime=${setup.packetizer.initialTimestamp}`);
    const response = this.#response(200, cseq, undefined, {
      ...this.#sessionHeader(session),
      Range: 'npt=0.000-',
      'RTP-Info': rtpInfo.join(','),
    });
    if (!session.pump) {
      const pending = (): number => this.socket.writableLength + (this.#splitter?.pendingBytes ?? 0) + (this.#records?.pendingBytes ?? 0);
      session.pump = new MediaPump(session.media, video, audio, {
        ready: () => this.socket.writable && pending() < MAX_PENDING_BYTES,
        write: (chunks) => this.#write(chunks),
        dropped: () => this.station.stats.framesDropped++,
      }, { senderReportMs: this.station.quirks.senderReportMs });
      // Media follows the PLAY response on the wire, unless a quirk has it race ahead or lag behind.
      const { framesBeforePlayResponse, mediaDelayMs } = this.station.quirks;
      if (framesBeforePlayResponse) session.pump.start();
      else if (mediaDelayMs) session.mediaDelay = setTimeout(() => session.pump?.start(), mediaDelayMs);
      else setImmediate(() => session.pump?.start());
      this.#startAsking(session);
    }
    return response;
  }

  /**
   * The `asksClientMs` quirk: OPTIONS to the client while playing. Without a Nonce: one issued here
   * could cross a request already on its way, which no client can avoid.
   */
  #startAsking(session: Session): void {
    const every = this.station.quirks.asksClientMs;
    if (!every) return;
    this.#asking = setInterval(() => {
      if (this.#session !== session) return clearInterval(this.#asking);
      this.#write([serializeMessage(makeRequest('OPTIONS', '*', { CSeq: ++this.#ownCSeq, Session: session.id }))]);
    }, every);
  }

  /** A refusal when the request's Session does not name this connection's session (or one is required and absent). */
  #checkSession(request: RtspRequest, cseq: string, required = false): RtspResponse | undefined {
    const given = request.headers.get('Session')?.split(';')[0]?.trim();
    if (given === undefined) {
      return required || this.#session ? this.#response(454, cseq, 'Session Not Found (no Session header)') : undefined;
    }
    if (!this.#session || given !== this.#session.id) return this.#response(454, cseq);
    return undefined;
  }

  #target(uri: string): { stream: ResolvedStream; streamPath: string; track?: number } | Refusal {
    let path: string;
    try {
      path = new URL(uri).pathname;
    } catch {
      return { status: 400, reason: 'Bad Request (request URI is not an absolute rtsp:// URL)' };
    }
    const trackMatch = /\/trackID=(\d+)\/?$/.exec(path);
    const streamPath = trackMatch ? path.slice(0, trackMatch.index) : path.replace(/\/$/, '');
    const stream = this.station.resolveStream(streamPath);
    if ('status' in stream) return stream;
    return trackMatch ? { stream, streamPath, track: Number(trackMatch[1]) } : { stream, streamPath };
  }

  /** The request URL of the stream itself, ending in `/`, for RTP-Info. */
  #baseUrl(uri: string): string {
    const stripped = uri.replace(/\/trackID=\d+\/?$/, '');
    return stripped.endsWith('/') ? stripped : `${stripped}/`;
  }

  /** The `Session` header of SETUP's and PLAY's answers (none when DESCRIBE's named the session). */
  #sessionHeader(session: Session): { Session?: string } {
    if (this.station.quirks.sessionAtDescribe) return {};
    return { Session: `${session.id};timeout=${this.station.sessionTimeoutSeconds}` };
  }

  #response(status: number, cseq: string | undefined, reason?: string, headers: Record<string, string> = {}): RtspResponse {
    const response = reason === undefined ? makeResponse(status) : makeResponse(status, {}, undefined, reason);
    if (cseq !== undefined) response.headers.set('CSeq', this.station.quirks.wrongCSeq ? String(Number(cseq) + 1000) : cseq);
    response.headers.set('Server', 'Arlo Simulated Base Station');
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    if (this.#verifier) response.headers.set(NONCE_HEADER, this.#verifier.issue());
    return response;
  }

  #send(response: RtspResponse): void {
    const { quirks } = this.station;
    const cased = quirks.lowerCaseHeaders ? lowerCaseHeaders(response) : response;
    const shaped = quirks.looseContentLength ? looseContentLength(cased) : cased;
    this.#write([quirks.looseSyntax ? looseResponse(shaped) : serializeMessage(shaped)]);
  }

  #write(chunks: Buffer[]): void {
    if (!this.socket.writable) return;
    if (this.#splitter) {
      const joined = Buffer.concat(chunks);
      this.#splitter.write(joined);
      this.station.stats.bytesSent += joined.length;
      return;
    }
    if (this.#records) {
      this.#records.write(chunks);
      for (const chunk of chunks) this.station.stats.bytesSent += chunk.length;
      return;
    }
    this.socket.cork();
    for (const chunk of chunks) {
      this.socket.write(chunk);
      this.station.stats.bytesSent += chunk.length;
    }
    this.socket.uncork();
  }

  /** Any accepted request restarts the clock; with none for the timeout, the session (and connection) ends. */
  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#session) this.station.stats.sessionTimeouts++;
      this.socket.destroy();
    }, this.station.sessionTimeoutSeconds * 1000);
  }

  #endSession(): void {
    const session = this.#session;
    if (!session) return;
    clearTimeout(session.mediaDelay);
    session.pump?.stop();
    this.#session = undefined;
    this.station.releaseSession(session.cameraId);
  }

  #close(): void {
    clearTimeout(this.#idleTimer);
    clearInterval(this.#asking);
    this.#splitter?.stop();
    this.#records?.stop();
    this.#endSession();
  }
}

function newSessionId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}
