// One viewer's RTSP connection to a camera's port (RFC 2326): OPTIONS, DESCRIBE, SETUP (interleaved
// TCP only; UDP is answered 461 so clients fall back), PLAY with RTP-Info, PAUSE, GET_PARAMETER /
// SET_PARAMETER keep-alives, TEARDOWN. Requests are answered in order; bad input is answered with
// the reader's status and the connection closed. Media comes from the camera hub, which writes to
// this connection's socket directly.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { ConnectionAuth } from '../rtsp/auth.js';
import { frameHeader, makeResponse, serializeMessage, sessionIdOf, withBody, type RtspRequest, type RtspResponse } from '../rtsp/message.js';
import { RtspReader } from '../rtsp/reader.js';
import { createSerial } from '../serial.js';
import { parseSdp, setControl, writeSdp } from '../rtsp/sdp.js';
import type { HubViewer } from './fanout.js';
import { sameTracks, type SourceRoute, type StreamInfo, type StreamSource } from './source.js';
import type { RtpStart } from './upstream.js';

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
const SERVER = 'Arlo Local RTSP';
const SESSION_TIMEOUT_SECONDS = 60;
/**
 * A connection not playing and silent both ways this long is closed, unless one of its requests is
 * still being answered: a player whose DESCRIBE waits for a busy or sleeping camera is waiting on us,
 * as long as it takes (FFmpeg waits forever). Only an accepted request waits: an unauthenticated one
 * is answered 401 at once, and the port's budget closes unauthenticated connections on its own clock.
 */
export const IDLE_BEFORE_PLAY_MS = 60_000;
/**
 * A request must arrive whole within this time of its first byte (the first one, of the connection
 * opening): a slow-loris client, an endless header or a `$` frame that never completes is let go
 * instead of holding one of the port's few connection slots.
 */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Requests waiting for an answer beyond this mean a client that does not wait for answers. */
const MAX_QUEUED_REQUESTS = 16;
/**
 * While a client waits on us (an answer, or the first media once playing) and nothing went its way
 * for this long, it gets an interleaved frame on a channel none of its tracks uses: an empty RTCP
 * receiver report that RTSP clients read and drop (FFmpeg and GStreamer skip a `$` frame of an
 * unknown channel, even while waiting for an answer). It keeps a client with a read timeout
 * (Frigate's FFmpeg gives up after 5 s without a byte) waiting while a battery camera wakes, which
 * can take 10 s and more. Media flowing writes its own bytes, and then none is sent.
 */
export const WAIT_KEEPALIVE_MS = 1_000;
const WAIT_KEEPALIVE_RTCP = Buffer.from([0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 0]);
/** Methods of RFC 2326 that this server knows but does not allow (a viewer cannot record). */
const NOT_ALLOWED = new Set(['ANNOUNCE', 'RECORD', 'REDIRECT']);

/**
 * The server's session states of RFC 2326 Appendix A: `init` until a SETUP, `ready` set up (or
 * paused), `playing`; `closed` once the connection is going (nothing more is answered).
 */
type RtspState = 'init' | 'ready' | 'playing' | 'closed';

/** Where each method is valid; elsewhere it is answered 455 Method Not Valid in This State. */
const VALID_IN: Record<string, readonly RtspState[]> = {
  SETUP: ['init', 'ready'],
  PLAY: ['ready', 'playing'],
  PAUSE: ['ready', 'playing'],
};

export interface DownstreamOptions {
  /** How long a viewer may take to send one request whole (default `REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs?: number;
  /** How long a connection may sit silent before playing (default `IDLE_BEFORE_PLAY_MS`). */
  idleBeforePlayMs?: number;
  /** Why a new viewer is refused now (a daily streaming cap), or undefined to let it in. */
  admit?: () => string | undefined;
}

interface PendingPlay {
  /** Sends the PLAY answer (with RTP-Info from the first packets). */
  answer(first: RtpStart): void;
  /** The connection closed first: nothing to answer. */
  cancel(): void;
}

export class DownstreamSession implements HubViewer {
  readonly socket: Socket;
  readonly #route: SourceRoute;
  /** What this connection plays, chosen by the path of its first DESCRIBE or SETUP. */
  #source: StreamSource | undefined;
  /** `#info` is a remembered description (the camera asleep): PLAY checks it against the real one. */
  #provisional = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #writtenAtLastLook = 0;
  readonly #auth: ConnectionAuth | undefined;
  readonly #log: Logger;
  readonly #reader = new RtspReader();
  readonly #inTurn = createSerial();
  #queued = 0;
  #drained: Promise<void> = Promise.resolve();
  #state: RtspState = 'init';
  #leased = false;
  #info: StreamInfo | undefined;
  #contentBase: string | undefined;
  #sessionId: string | undefined;
  /** Track index → the interleaved RTP channel the viewer chose for it. */
  readonly #channels = new Map<number, number>();
  /** The PLAY waiting for the hub's first packets. */
  #pendingPlay: PendingPlay | undefined;
  readonly #requestTimeoutMs: number;
  readonly #idleBeforePlayMs: number;
  #requestTimer: NodeJS.Timeout | undefined;
  #requested = false;

  /** Why a new viewer is refused now (a daily streaming cap), or undefined. */
  readonly #admit: (() => string | undefined) | undefined;

  constructor(socket: Socket, route: SourceRoute, auth: ConnectionAuth | undefined, logger: Logger, options: DownstreamOptions = {}) {
    this.#admit = options.admit;
    this.socket = socket;
    this.#route = route;
    this.#auth = auth;
    this.#log = logger;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#idleBeforePlayMs = options.idleBeforePlayMs ?? IDLE_BEFORE_PLAY_MS;
    this.#watchPartialInput();
    socket.setNoDelay(true);
    // Fires once per silent stretch; the answer to a request still in progress re-arms it.
    socket.setTimeout(this.#idleBeforePlayMs, () => {
      if (this.#state !== 'playing' && this.#queued === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#log.debug({ err: error.message }, 'viewer connection error'));
    socket.on('close', () => this.#onClose());
    this.#keepAlive = setInterval(() => this.#keepWaiting(), WAIT_KEEPALIVE_MS);
    this.#keepAlive.unref();
  }

  /** Sends the keep-alive frame when the client waits on us and heard nothing since the last look. */
  #keepWaiting(): void {
    const written = this.socket.bytesWritten + this.socket.writableLength;
    const waiting = this.#queued > 0 || this.#state === 'playing';
    if (waiting && written === this.#writtenAtLastLook && !this.socket.destroyed) {
      this.socket.write(frameHeader(this.#unusedChannel(), WAIT_KEEPALIVE_RTCP.length));
      this.socket.write(WAIT_KEEPALIVE_RTCP);
    }
    this.#writtenAtLastLook = this.socket.bytesWritten + this.socket.writableLength;
  }

  /** The highest channel none of this client's tracks (RTP or RTCP) uses. */
  #unusedChannel(): number {
    const used = new Set([...this.#channels.values()].flatMap((c) => [c, c + 1]));
    let channel = 255;
    while (used.has(channel)) channel--;
    return channel;
  }

  channelOf(track: number): number | undefined {
    return this.#channels.get(track);
  }

  begin(first: RtpStart): void {
    this.#pendingPlay?.answer(first);
  }

  /** Resolves once every request received so far has been handled (a PLAY cut short included). */
  drained(): Promise<void> {
    return this.#drained;
  }

  end(reason: string): void {
    this.#log.info({ reason }, 'viewer disconnected');
    this.socket.destroy();
  }

  /** A method, not a comparison, so that the checks after a call that may close are not narrowed away. */
  #closed(): boolean {
    return this.#state === 'closed';
  }

  #onData(chunk: Buffer): void {
    if (this.#closed()) return;
    this.#reader.push(chunk);
    while (!this.#closed()) {
      const buffered = this.#reader.buffered;
      const item = this.#reader.read();
      if (!item) {
        // The reader reports a garbage run only once it ends; bytes it swallowed without an item
        // are that garbage, and a client sending it gets its answer now.
        if (this.#reader.buffered < buffered) this.#reject(400);
        else this.#watchPartialInput();
        return;
      }
      if (item.kind === 'error') {
        this.#log.debug({ err: item.error.message }, 'bad input from a viewer');
        this.#reject(item.error.status);
      } else if (item.kind === 'request') {
        this.#requested = true;
        if (++this.#queued > MAX_QUEUED_REQUESTS) {
          this.#state = 'closed';
          this.socket.destroy();
          return;
        }
        const request = item;
        this.#drained = this.#inTurn(() => this.#handle(request))
          .catch((error: unknown) => this.#log.warn({ err: String(error) }, 'viewer request failed'))
          .finally(() => this.#queued--);
      }
      // `$` frames from the viewer (RTCP receiver reports) and stray responses need no answer.
    }
  }

  /** Runs the request deadline while input is incomplete (or no request came yet); stops it otherwise. */
  #watchPartialInput(): void {
    if (this.#requested && this.#reader.buffered === 0) {
      clearTimeout(this.#requestTimer);
      this.#requestTimer = undefined;
      return;
    }
    this.#requestTimer ??= setTimeout(() => {
      this.#log.debug({ buffered: this.#reader.buffered }, 'viewer sent no complete request in time');
      this.#state = 'closed';
      this.socket.destroy();
    }, this.#requestTimeoutMs);
  }

  /** Answers unreadable input with its status and closes the connection; nothing else is disturbed. */
  #reject(status: number): void {
    this.#state = 'closed';
    const response = makeResponse(status, { Server: SERVER, Connection: 'close' });
    this.socket.end(serializeMessage(response), () => this.socket.destroy());
  }

  #onClose(): void {
    this.#state = 'closed';
    clearTimeout(this.#requestTimer);
    clearInterval(this.#keepAlive);
    this.#releaseStream();
    this.#pendingPlay?.cancel();
  }

  /** Lets go of the stream (the hub lingers, then tears the upstream down if no one else watches). */
  #releaseStream(): void {
    this.#source?.detach(this);
    if (this.#leased) {
      this.#leased = false;
      this.#source?.release();
    }
  }

  async #handle(request: RtspRequest): Promise<void> {
    if (this.#closed()) return;
    const cseq = request.headers.get('CSeq');
    if (cseq === undefined) {
      this.#reply(request, makeResponse(400, {}, undefined, 'Bad Request: no CSeq'));
      return;
    }
    const verdict = this.#auth ? await this.#auth.check(request) : { accepted: true as const };
    if (this.#closed()) return;
    if (!verdict.accepted) {
      const response = makeResponse(401, verdict.close ? { Connection: 'close' } : {});
      for (const value of verdict.challenge) response.headers.append('WWW-Authenticate', value);
      this.#reply(request, response);
      if (verdict.close) {
        this.#state = 'closed';
        this.socket.end();
      }
      return;
    }
    if (!this.#checkState(request)) return;
    const given = sessionIdOf(request);
    if (given !== undefined && given !== this.#sessionId && request.method !== 'OPTIONS') {
      this.#reply(request, makeResponse(454));
      return;
    }
    switch (request.method) {
      case 'OPTIONS':
        this.#reply(request, makeResponse(200, { Public: PUBLIC }));
        return;
      case 'DESCRIBE':
        return this.#describe(request);
      case 'SETUP':
        return this.#setup(request);
      case 'PLAY':
        return this.#play(request);
      case 'PAUSE':
        this.#source?.detach(this);
        this.#state = 'ready';
        this.#reply(request, makeResponse(200));
        return;
      case 'TEARDOWN':
        // Released now, not when the client gets round to closing: a client that keeps the
        // connection open must not keep the base-station session (and a battery camera) awake.
        this.#releaseStream();
        this.#reply(request, makeResponse(200));
        this.#state = 'closed';
        this.socket.end();
        return;
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        this.#reply(request, makeResponse(200));
        return;
      default:
        this.#reply(request, makeResponse(NOT_ALLOWED.has(request.method) ? 405 : 501, { Allow: PUBLIC }));
    }
  }

  /** The stream's description, holding the stream open for this connection; undefined after answering 453 or 503. */
  async #stream(request: RtspRequest): Promise<StreamInfo | undefined> {
    if (this.#info) return this.#info;
    this.#source ??= this.#route(pathOf(request.uri));
    const source = this.#source;
    if (!source) {
      this.#reply(request, makeResponse(404, {}, undefined, 'Not Found: no such stream on this port'));
      return undefined;
    }
    const refusal = this.#leased ? undefined : this.#admit?.();
    if (refusal !== undefined) {
      // 453 Not Enough Bandwidth (RFC 2326 §7.1.1), the reason in the phrase players print and in the body.
      const oneLine = refusal.replace(/[\r\n]+/g, ' ').slice(0, 300);
      this.#reply(request, withBody(makeResponse(453, {}, undefined, oneLine), `${oneLine}\r\n`, 'text/plain'));
      return undefined;
    }
    if (!this.#leased) {
      this.#leased = true;
      source.acquire();
    }
    const remembered = source.remembered();
    if (remembered) {
      this.#info = remembered;
      this.#provisional = true;
      return remembered;
    }
    this.#info = await this.#described(request, source);
    return this.#info;
  }

  /** The source's real description; undefined after answering 503 (the user-facing reason in the phrase, as players print it). */
  async #described(request: RtspRequest, source: StreamSource): Promise<StreamInfo | undefined> {
    try {
      return await source.describe();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#reply(request, makeResponse(503, {}, undefined, reason.replace(/[\r\n]+/g, ' ').slice(0, 300)));
      return undefined;
    }
  }

  async #describe(request: RtspRequest): Promise<void> {
    const info = await this.#stream(request);
    if (!info) return;
    const sdp = parseSdp(info.sdpText);
    for (const [index, media] of sdp.media.entries()) setControl(media, `trackID=${index}`);
    const session = sdp.session.find((line) => line.type === 'a' && line.value.startsWith('control:'));
    if (session) session.value = 'control:*';
    else sdp.session.push({ type: 'a', value: 'control:*' });
    this.#contentBase = request.uri.endsWith('/') ? request.uri : `${request.uri}/`;
    const response = makeResponse(200, { 'Content-Base': this.#contentBase });
    this.#reply(request, withBody(response, writeSdp(sdp), 'application/sdp'));
  }

  async #setup(request: RtspRequest): Promise<void> {
    const info = await this.#stream(request);
    if (!info) return;
    const match = /^(.*\/)trackID=(\d+)\/?$/.exec(request.uri);
    const track = match ? info.tracks.find((t) => t.index === Number(match[2])) : undefined;
    if (!match || !track) {
      this.#reply(request, makeResponse(404, {}, undefined, 'Not Found: no such track'));
      return;
    }
    this.#contentBase ??= match[1];
    const spec = (request.headers.get('Transport') ?? '').split(',').find((t) => /^\s*RTP\/AVP\/TCP\b/i.test(t));
    if (spec === undefined) {
      // Media only flows interleaved on this connection; clients then retry with TCP.
      this.#reply(request, makeResponse(461, {}, undefined, 'Unsupported Transport: use RTP/AVP/TCP (interleaved)'));
      return;
    }
    const used = new Set([...this.#channels].filter(([t]) => t !== track.index).map(([, c]) => c));
    const asked = /interleaved=(\d+)/.exec(spec)?.[1];
    let channel = asked === undefined ? track.index * 2 : Number(asked);
    while (channel > 254 || channel % 2 !== 0 || used.has(channel)) channel = channel > 254 ? 0 : channel + 1;
    this.#channels.set(track.index, channel);
    this.#sessionId ??= randomBytes(8).toString('hex');
    if (this.#state === 'init') this.#state = 'ready';
    this.#reply(
      request,
      makeResponse(200, {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`,
        Session: `${this.#sessionId};timeout=${SESSION_TIMEOUT_SECONDS}`,
      }),
    );
  }

  /** Answers 455 when the method is not valid in the session's state; true when it may go on. */
  #checkState(request: RtspRequest): boolean {
    const valid = VALID_IN[request.method];
    if (!valid || valid.includes(this.#state)) return true;
    const hint = this.#state === 'init' ? 'SETUP first' : `not while ${this.#state}`;
    this.#reply(request, makeResponse(455, { Allow: PUBLIC }, undefined, `Method Not Valid in This State: ${hint}`));
    return false;
  }

  async #play(request: RtspRequest): Promise<void> {
    if (this.#state === 'playing') {
      this.#reply(request, makeResponse(200, { Range: 'npt=0.000-' }));
      return;
    }
    const source = this.#source!;
    if (this.#provisional) {
      // Set up from the remembered description: play once the real one is known, and only if its
      // tracks are the ones set up (else the client must describe the stream again).
      const real = await this.#described(request, source);
      if (!real || this.#closed()) return;
      this.#provisional = false;
      if (!sameTracks(real, this.#info!)) {
        this.#reply(request, makeResponse(503, { Connection: 'close' }, undefined, "the camera's stream changed since it was described: connect again"));
        this.#state = 'closed';
        this.socket.end();
        return;
      }
      this.#info = real;
    }
    this.#state = 'playing';
    this.socket.setTimeout(0);
    // The answer goes out from inside the hub, right before this viewer's first packet.
    await new Promise<void>((resolve) => {
      this.#pendingPlay = { cancel: resolve, answer: (first) => {
        this.#pendingPlay = undefined;
        const rtpInfo = [...this.#channels.keys()]
          .sort((a, b) => a - b)
          .flatMap((track) => {
            const start = first.get(track);
            return start ? [`url=${this.#contentBase ?? ''}trackID=${track};seq=${start.sequence};rtptime=${start.timestamp}`] : [];
          });
        const response = makeResponse(200, { Range: 'npt=0.000-' });
        if (rtpInfo.length > 0) response.headers.set('RTP-Info', rtpInfo.join(','));
        this.#reply(request, response);
        resolve();
      } };
      source.play(this);
    });
  }

  #reply(request: RtspRequest, response: RtspResponse): void {
    const headers = response.headers;
    const cseq = request.headers.get('CSeq');
    // CSeq first, as clients read it; then who we are and the session.
    const ordered = makeResponse(response.status, {}, undefined, response.reason);
    if (cseq !== undefined) ordered.headers.set('CSeq', cseq);
    ordered.headers.set('Server', SERVER);
    if (this.#sessionId !== undefined && request.method !== 'SETUP' && request.method !== 'OPTIONS') {
      ordered.headers.set('Session', `${this.#sessionId};timeout=${SESSION_TIMEOUT_SECONDS}`);
    }
    for (const [name, value] of headers) ordered.headers.append(name, value);
    ordered.body = response.body;
    if (!this.socket.destroyed) this.socket.write(serializeMessage(ordered));
  }
}

/** A request URL's path, without a track's control suffix or a trailing slash (`/cam/sub/trackID=0` → `/cam/sub`). */
export function pathOf(uri: string): string {
  let path: string;
  try {
    path = new URL(uri).pathname;
  } catch {
    path = uri.startsWith('/') ? uri.split('?')[0]! : '/';
  }
  return path.replace(/\/trackID=\d+\/?$/, '').replace(/\/+$/, '') || '/';
}
