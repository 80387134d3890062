// One camera's fan-out: a single upstream session shared by every viewer (the base station allows
// one stream per camera). The first lease opens it, the last one leaving starts a linger after
// which it is torn down (a battery camera sleeps again). Every `$` frame goes to each playing
// viewer's socket as received (a view, never copied; consecutive frames of one upstream chunk in
// one write); the packets since the last keyframe are kept so a new viewer starts with a decodable
// picture at once.
//
// A viewer that stops reading loses packets (counted) once its socket queue is full, then skips
// to the next keyframe so its picture recovers; one stalled too long is disconnected. No viewer
// ever waits for another.

import type { CameraStreamState } from '../../shared/api.js';
import type { Logger } from '../log.js';
import { frameHeader } from '../rtsp/message.js';
import { isKeyframeStart } from '../rtsp/keyframe.js';
import { parseRtpHeader } from '../rtsp/rtp.js';
import { RtpContinuity } from './continuity.js';
import { PacketCache, type CachedPacket } from './packet-cache.js';
import { StreamError } from './errors.js';
import type { RtpStart, UpstreamHooks, UpstreamSession, UpstreamTrack } from './upstream.js';

export type HubState = CameraStreamState;

/** What the downstream session of one viewer offers the hub. */
export interface HubViewer {
  readonly socket: { readonly writableLength: number; cork(): void; uncork(): void; write(chunk: Buffer): boolean };
  /** The interleaved RTP channel this viewer set up for a track, or undefined. */
  channelOf(track: number): number | undefined;
  /** Called once, right before its first packet: where each of its tracks starts (for RTP-Info). */
  begin(first: RtpStart): void;
  /** The hub gives up on this viewer (stalled, or the stream is gone); close its connection. */
  end(reason: string): void;
}

export interface StreamInfo {
  sdpText: string;
  tracks: readonly UpstreamTrack[];
}

export interface HubLimits {
  /**
   * Packets kept since the last keyframe; beyond this the cache is dropped until the next one. 0
   * disables it: a new viewer then waits for the next keyframe (benchmarks measure the difference).
   */
  cacheBytes: number;
  /** A viewer's socket queue beyond which its packets are dropped. */
  viewerQueueBytes: number;
  /** How long a viewer may stay over its queue limit before it is disconnected. */
  viewerStallMs: number;
  /** How long PLAY waits for a keyframe before answering without RTP-Info. */
  playWaitMs: number;
  /** Delays of the reconnect attempts while viewers remain; then they are let go. */
  reconnectDelaysMs: readonly number[];
}

export const DEFAULT_HUB_LIMITS: Readonly<HubLimits> = {
  cacheBytes: 4 * 1024 * 1024,
  viewerQueueBytes: 8 * 1024 * 1024,
  viewerStallMs: 15_000,
  playWaitMs: 5_000,
  reconnectDelaysMs: [250, 1_000, 2_000, 4_000, 8_000],
};

export interface HubOptions {
  logger: Logger;
  lingerMs: number;
  /** Opens the upstream session with these hooks (bound to the camera's base station by the caller). */
  open(hooks: UpstreamHooks): Promise<UpstreamSession>;
  /** Something a user would see changed (state, error, viewers); not called per packet. */
  onChange(): void;
  /** An upstream attempt failed; the manager reacts to some codes (certificate rejected). */
  onUpstreamError?(error: StreamError): void;
  limits?: Partial<HubLimits>;
}

export interface HubStats {
  bytesIn: number;
  bytesOut: number;
  packetsDropped: number;
  upstreamSessions: number;
}

interface Attached {
  viewer: HubViewer;
  started: boolean;
  /** Skipping packets until a keyframe start (after a drop, or before the first picture). */
  waiting: boolean;
  stalledSince: number | undefined;
  startTimer: NodeJS.Timeout | undefined;
  /** Frames for this viewer lying back to back in one upstream chunk, written as one view at the end of the tick. */
  run: { memory: ArrayBufferLike | undefined; start: number; end: number };
}

/**
 * Frames a base station sends before its PLAY answer (or before the hub has taken the session over)
 * are held, so the keyframe they usually start with is not lost; a round trip's worth in practice.
 */
const MAX_HELD_BYTES = 2 * 1024 * 1024;

interface HeldFrame {
  track: UpstreamTrack;
  rtcp: boolean;
  packet: Buffer;
  frame: Buffer;
}

/** Errors that another attempt cannot fix: the user must act first. */
const FATAL: ReadonlySet<string> = new Set(['certificate-rejected', 'fingerprint-changed', 'not-found']);

export class CameraHub {
  state: HubState = 'idle';
  error: string | undefined;
  readonly stats: HubStats = { bytesIn: 0, bytesOut: 0, packetsDropped: 0, upstreamSessions: 0 };

  readonly #options: HubOptions;
  readonly #limits: HubLimits;
  readonly #log: Logger;
  readonly #viewers = new Map<HubViewer, Attached>();
  #leases = 0;
  #upstream: UpstreamSession | undefined;
  #opening: Promise<UpstreamSession> | undefined;
  /** Bumped whenever an upstream session is replaced, so late hooks of an old one are ignored. */
  #generation = 0;
  #linger: NodeJS.Timeout | undefined;
  /** The TEARDOWN of the previous session; a new one waits for it (one stream per camera). */
  #tearingDown: Promise<void> | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  #video: UpstreamTrack | undefined;
  #continuity: RtpContinuity[] = [];
  readonly #cache = new PacketCache();
  #cacheValid = false;
  #cacheTimestamp: number | undefined;
  /** The latest packet of each track, to seed the cache with the audio just before a keyframe. */
  #last: (Buffer | undefined)[] = [];
  /** Frames of the session being opened, until `#adopt` delivers them. */
  #held: HeldFrame[] = [];
  #heldBytes = 0;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_HUB_LIMITS, ...options.limits };
    this.#log = options.logger;
  }

  get viewers(): number {
    return this.#viewers.size;
  }

  /** A viewer connection holds the stream open (until `release()`), whether or not it plays. */
  acquire(): void {
    this.#leases++;
    clearTimeout(this.#linger);
    this.#linger = undefined;
  }

  release(): void {
    this.#leases = Math.max(0, this.#leases - 1);
    this.#maybeLinger();
  }

  /** The stream's description, opening the upstream session first if needed (needs a lease). */
  async describe(): Promise<StreamInfo> {
    if (this.#closed) throw new StreamError('closed', 'this camera is stopped');
    const upstream = await this.#ensure();
    return { sdpText: upstream.sdpText, tracks: upstream.tracks };
  }

  /** Starts sending to a viewer (PLAY): from the cached keyframe at once, else from the next one. */
  play(viewer: HubViewer): void {
    if (this.#viewers.has(viewer)) return;
    const attached: Attached = { viewer, started: false, waiting: true, stalledSince: undefined, startTimer: undefined, run: { memory: undefined, start: 0, end: 0 } };
    this.#viewers.set(viewer, attached);
    if (!this.#video?.codec) {
      this.#start(attached, []);
    } else if (this.#cacheValid && this.#upstream) {
      this.#start(attached, this.#cache.packets());
    } else {
      attached.startTimer = setTimeout(() => this.#start(attached, []), this.#limits.playWaitMs);
    }
    this.#options.onChange();
  }

  /** Stops sending to a viewer (PAUSE, TEARDOWN, its connection closed). */
  detach(viewer: HubViewer): void {
    const attached = this.#viewers.get(viewer);
    if (!attached) return;
    clearTimeout(attached.startTimer);
    this.#flush(attached);
    this.#viewers.delete(viewer);
    this.#options.onChange();
    this.#maybeLinger();
  }

  /** Lets every viewer go and tears the upstream session down now. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#linger);
    clearTimeout(this.#reconnect);
    for (const attached of [...this.#viewers.values()]) this.#end(attached, 'the camera was stopped');
    await this.#opening?.catch(() => undefined);
    await this.#teardown();
    await this.#tearingDown;
  }

  #ensure(): Promise<UpstreamSession> {
    if (this.#upstream) return Promise.resolve(this.#upstream);
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #open(): Promise<UpstreamSession> {
    const generation = ++this.#generation;
    const current = (): boolean => generation === this.#generation && !this.#closed;
    this.#releaseHeld();
    this.#setState('connecting');
    try {
      await this.#tearingDown;
      if (!current()) throw new StreamError('closed', 'this camera is stopped');
      const upstream = await this.#options.open({
        onFrame: (track, rtcp, packet, frame) => {
          if (!current()) return;
          if (this.#upstream) this.#onFrame(track, rtcp, packet, frame);
          else this.#hold(track, rtcp, packet, frame);
        },
        onPhase: (phase) => {
          if (current() && phase !== 'media') this.#setState(phase);
        },
        onClose: (error) => {
          if (current()) this.#lost(error);
        },
      });
      if (!current()) {
        await upstream.close();
        throw new StreamError('closed', 'this camera is stopped');
      }
      this.#adopt(upstream);
      return upstream;
    } catch (error) {
      this.#releaseHeld();
      const failure = error instanceof StreamError ? error : new StreamError('protocol', String(error), { cause: error });
      if (current()) {
        this.error = failure.message;
        this.#setState('error');
        this.#options.onUpstreamError?.(failure);
      }
      throw failure;
    }
  }

  #adopt(upstream: UpstreamSession): void {
    const replaced = this.#video !== undefined;
    this.#upstream = upstream;
    this.stats.upstreamSessions++;
    this.#video = upstream.tracks.find((t) => t.codec !== undefined) ?? upstream.tracks.find((t) => t.kind === 'video');
    if (!replaced) this.#continuity = upstream.tracks.map((t) => new RtpContinuity(t.clockRate));
    for (const continuity of this.#continuity) continuity.newSession();
    this.#resetCache(undefined);
    this.#cacheValid = false;
    this.#last = [];
    this.error = undefined;
    const held = this.#held;
    this.#releaseHeld();
    for (const { track, rtcp, packet, frame } of held) this.#onFrame(track, rtcp, packet, frame);
    this.#setState('media');
    this.#maybeLinger();
  }

  #hold(track: UpstreamTrack, rtcp: boolean, packet: Buffer, frame: Buffer): void {
    if (this.#heldBytes + frame.length > MAX_HELD_BYTES) {
      this.stats.packetsDropped++;
      return;
    }
    this.#held.push({ track, rtcp, packet, frame });
    this.#heldBytes += frame.length;
  }

  #releaseHeld(): void {
    this.#held = [];
    this.#heldBytes = 0;
  }

  /** The base station dropped the session: reconnect while viewers remain. */
  #lost(error: StreamError): void {
    this.#log.warn({ err: error.message }, 'upstream session lost');
    this.#upstream = undefined;
    this.#generation++;
    this.#cacheValid = false;
    for (const attached of this.#viewers.values()) attached.waiting = true;
    this.error = `${error.message}; reconnecting`;
    if (this.#viewers.size === 0 && this.#leases === 0) {
      this.error = error.message;
      this.#setState('error');
      return;
    }
    this.#setState('connecting');
    this.#scheduleReconnect(0, error);
  }

  #scheduleReconnect(attempt: number, lastError: StreamError): void {
    const delay = this.#limits.reconnectDelaysMs[attempt];
    if (delay === undefined || FATAL.has(lastError.code)) {
      this.error = lastError.message;
      this.#setState('error');
      for (const attached of [...this.#viewers.values()]) this.#end(attached, lastError.message);
      return;
    }
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      if (this.#closed || this.#upstream) return;
      if (this.#viewers.size === 0 && this.#leases === 0) {
        // Everyone left while we waited: show what happened; the next viewer tries again.
        this.error = lastError.message;
        this.#setState('error');
        return;
      }
      this.#ensure().catch((error: unknown) => {
        this.#scheduleReconnect(attempt + 1, error instanceof StreamError ? error : lastError);
      });
    }, delay);
  }

  #maybeLinger(): void {
    if (this.#closed || this.#leases > 0 || this.#viewers.size > 0 || this.#linger || !this.#upstream) return;
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      if (this.#leases === 0 && this.#viewers.size === 0) void this.#teardown();
    }, this.#options.lingerMs);
  }

  async #teardown(): Promise<void> {
    const upstream = this.#upstream;
    this.#upstream = undefined;
    const generation = ++this.#generation;
    this.#cacheValid = false;
    this.#resetCache(undefined);
    this.#releaseHeld();
    if (upstream) {
      const closing = upstream.close();
      this.#tearingDown = closing;
      await closing;
      if (this.#tearingDown === closing) this.#tearingDown = undefined;
    }
    // A viewer that came during the TEARDOWN has its own session by now: its state stands.
    if (generation === this.#generation && this.state !== 'error') this.#setState('idle');
  }

  #setState(state: HubState): void {
    if (this.state === state) return;
    this.state = state;
    this.#options.onChange();
  }

  // ---- the media path: runs per packet; per viewer it only extends a run of frames to write ----

  #onFrame(track: UpstreamTrack, rtcp: boolean, packet: Buffer, frame: Buffer): void {
    this.stats.bytesIn += packet.length + 4;
    const continuity = this.#continuity[track.index];
    if (rtcp) {
      if (continuity?.rtcp(packet)) this.#fanOutRtcp(track.index, packet, frame);
      return;
    }
    continuity?.rtp(packet);

    let keyStart = false;
    const video = this.#video;
    if (track === video && video.codec) {
      const header = parseRtpHeader(packet);
      if (
        header &&
        header.timestamp !== this.#cacheTimestamp &&
        isKeyframeStart(video.codec, packet.subarray(header.payloadOffset, header.payloadEnd))
      ) {
        keyStart = true;
        this.#resetCache(header.timestamp);
      }
    }
    if (this.#cacheValid) {
      this.#cache.add(track.index, packet);
      if (this.#cache.bytes > this.#limits.cacheBytes) {
        this.#cacheValid = false;
        this.#resetCache(undefined);
      }
    }
    this.#last[track.index] = packet;

    for (const attached of this.#viewers.values()) {
      if (!attached.started) {
        // Without a cache (disabled, or this keyframe outgrew it) the viewer still starts right here.
        if (keyStart) this.#start(attached, this.#cacheValid ? this.#cache.packets() : [{ track: track.index, packet }]);
        continue;
      }
      this.#deliver(attached, track.index, packet, frame, keyStart);
    }
  }

  /** A new cache begins at a keyframe, seeded with the latest packet of every other track. */
  #resetCache(timestamp: number | undefined): void {
    this.#cache.clear();
    this.#cacheTimestamp = timestamp;
    if (timestamp === undefined) return;
    this.#cacheValid = true;
    for (const [index, packet] of this.#last.entries()) {
      if (packet && index !== this.#video?.index) {
        this.#cache.add(index, packet);
      }
    }
  }

  #start(attached: Attached, from: readonly CachedPacket[]): void {
    if (attached.started || !this.#viewers.has(attached.viewer)) return;
    clearTimeout(attached.startTimer);
    attached.started = true;
    const { viewer } = attached;
    const first: RtpStart = new Map();
    for (const { track, packet } of from) {
      if (packet.length >= 12 && !first.has(track) && viewer.channelOf(track) !== undefined) {
        first.set(track, { sequence: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4) });
      }
    }
    viewer.begin(first);
    attached.waiting = from.length === 0 && this.#video?.codec !== undefined;
    for (const { track, packet } of from) this.#write(attached, track, packet);
  }

  #deliver(attached: Attached, track: number, packet: Buffer, frame: Buffer, keyStart: boolean): void {
    const channel = attached.viewer.channelOf(track);
    if (channel === undefined) return;
    const queued = attached.viewer.socket.writableLength;
    if (queued > this.#limits.viewerQueueBytes) {
      this.#drop(attached);
      return;
    }
    attached.stalledSince = undefined;
    if (attached.waiting) {
      const video = this.#video;
      const resumes = keyStart || video === undefined || attached.viewer.channelOf(video.index) === undefined;
      if (!resumes) {
        this.stats.packetsDropped++;
        return;
      }
      attached.waiting = false;
    }
    this.#send(attached, channel, packet, frame);
  }

  #drop(attached: Attached): void {
    this.stats.packetsDropped++;
    attached.waiting = true;
    const now = Date.now();
    attached.stalledSince ??= now;
    if (now - attached.stalledSince > this.#limits.viewerStallMs) {
      this.#end(attached, `stopped reading for ${this.#limits.viewerStallMs / 1000} s`);
    }
  }

  #write(attached: Attached, track: number, packet: Buffer): void {
    const channel = attached.viewer.channelOf(track);
    if (channel !== undefined) this.#send(attached, channel, packet);
  }

  #fanOutRtcp(track: number, packet: Buffer, frame: Buffer): void {
    for (const attached of this.#viewers.values()) {
      if (!attached.started || attached.waiting) continue;
      const channel = attached.viewer.channelOf(track);
      if (channel !== undefined && attached.viewer.socket.writableLength <= this.#limits.viewerQueueBytes) {
        this.#send(attached, channel + 1, packet, frame);
      }
    }
  }

  /**
   * Per-write costs dominate relaying (see docs/BENCHMARKS.md): a frame on the channel the viewer
   * set up (the usual case) is not written at once but joins the viewer's run when it lies right
   * after it in the same upstream chunk, so a whole TLS record's frames (a dozen) leave as one view
   * in one write, with no header allocated. The socket stays corked until the end of the tick, so
   * the runs of one tick (a frame completed across chunks starts a new one) leave in one writev.
   */
  #send(attached: Attached, channel: number, packet: Buffer, frame?: Buffer): void {
    const socket = attached.viewer.socket;
    if (!this.#corked.has(attached)) {
      if (this.#corked.size === 0) process.nextTick(this.#uncorkAll);
      this.#corked.add(attached);
      socket.cork();
    }
    this.stats.bytesOut += packet.length + 4;
    const run = attached.run;
    if (frame && frame[1] === channel) {
      if (run.memory === frame.buffer && run.end === frame.byteOffset) {
        run.end += frame.length;
        return;
      }
      this.#flush(attached);
      run.memory = frame.buffer;
      run.start = frame.byteOffset;
      run.end = frame.byteOffset + frame.length;
      return;
    }
    this.#flush(attached);
    socket.write(frameHeader(channel, packet.length));
    socket.write(packet);
  }

  #flush(attached: Attached): void {
    const run = attached.run;
    if (run.memory === undefined) return;
    attached.viewer.socket.write(Buffer.from(run.memory, run.start, run.end - run.start));
    run.memory = undefined;
  }

  readonly #corked = new Set<Attached>();
  readonly #uncorkAll = (): void => {
    for (const attached of this.#corked) {
      this.#flush(attached);
      attached.viewer.socket.uncork();
    }
    this.#corked.clear();
  };

  #end(attached: Attached, reason: string): void {
    this.detach(attached.viewer);
    attached.viewer.end(reason);
  }
}
