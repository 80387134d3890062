// One camera's fan-out: every `$` frame of the current stream goes to each playing viewer's socket
// as received (a view, never copied; consecutive frames of one upstream chunk in one write); the
// packets since the last keyframe are kept so a new viewer starts with a decodable picture at once.
// It knows nothing of sessions: frames arrive, and now and then the stream is replaced (or gone).
//
// A viewer that stops reading loses packets (counted) once its socket queue is full, then skips
// to the next keyframe so its picture recovers; one stalled too long is disconnected. No viewer
// ever waits for another.

import { frameHeader } from '../rtsp/message.js';
import { isKeyframeStart } from '../rtsp/keyframe.js';
import { rtpPayloadEnd, rtpPayloadOffset } from '../rtsp/rtp.js';
import { RtpContinuity } from './continuity.js';
import { PacketCache, type CachedPacket } from './packet-cache.js';
import type { RtpStart, UpstreamTrack } from './upstream.js';

/** What one viewer (a downstream RTSP session, or an in-process consumer) offers the fan-out. */
export interface HubViewer {
  readonly socket: { readonly writableLength: number; cork(): void; uncork(): void; write(chunk: Buffer): boolean };
  /** The interleaved RTP channel this viewer set up for a track, or undefined. */
  channelOf(track: number): number | undefined;
  /** Called once, right before its first packet: where each of its tracks starts (for RTP-Info). */
  begin(first: RtpStart): void;
  /** The hub gives up on this viewer (stalled, or the stream is gone); close its connection. */
  end(reason: string): void;
}

export interface FanOutLimits {
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
}

export interface FanOutStats {
  bytesIn: number;
  bytesOut: number;
  packetsDropped: number;
}

interface Attached {
  viewer: HubViewer;
  started: boolean;
  /** Skipping packets until a keyframe start (after a drop, or before the first picture). */
  waiting: boolean;
  stalledSince: number | undefined;
  startTimer: NodeJS.Timeout | undefined;
  /**
   * What the socket had not sent yet when this turn's writes began (measured once, before the
   * socket is corked): the viewer's backlog. The socket's own queue length would also count the
   * turn's batch, which a viewer that reads everything cannot have taken yet.
   */
  backlog: number;
  /** Frames for this viewer lying back to back in one upstream chunk, written as one view when the turn's writes are flushed. */
  run: { memory: ArrayBufferLike | undefined; start: number; end: number };
}

export class FanOut {
  readonly #limits: FanOutLimits;
  readonly #stats: FanOutStats;
  /** A viewer was let go by the fan-out itself (it stalled). */
  readonly #onEnded: () => void;
  readonly #viewers = new Map<HubViewer, Attached>();
  /** Whether a stream is current (frames may arrive); between sessions it is not. */
  #streaming = false;
  #video: UpstreamTrack | undefined;
  #continuity: RtpContinuity[] = [];
  readonly #cache = new PacketCache();
  #cacheValid = false;
  #cacheTimestamp: number | undefined;
  /** The latest packet of each track, to seed the cache with the audio just before a keyframe. */
  #last: (Buffer | undefined)[] = [];

  constructor(limits: FanOutLimits, stats: FanOutStats, onEnded: () => void) {
    this.#limits = limits;
    this.#stats = stats;
    this.#onEnded = onEnded;
  }

  get viewers(): number {
    return this.#viewers.size;
  }

  /**
   * A new stream begins with these tracks (a replaced session continues the old one's sequence
   * numbers and timestamps for the viewers), or, with none, the stream is gone until the next.
   */
  replaced(tracks: readonly UpstreamTrack[] | undefined): void {
    this.#cacheValid = false;
    this.#resetCache(undefined);
    this.#cache.release();
    this.#last = [];
    for (const attached of this.#viewers.values()) attached.waiting = true;
    this.#streaming = tracks !== undefined;
    if (!tracks) return;
    const first = this.#video === undefined;
    this.#video = tracks.find((t) => t.codec !== undefined) ?? tracks.find((t) => t.kind === 'video');
    if (first) this.#continuity = tracks.map((t) => new RtpContinuity(t.clockRate));
    for (const continuity of this.#continuity) continuity.newSession();
  }

  /** Starts sending to a viewer: from the cached keyframe at once, else from the next one. */
  play(viewer: HubViewer): void {
    if (this.#viewers.has(viewer)) return;
    const attached: Attached = { viewer, started: false, waiting: true, stalledSince: undefined, startTimer: undefined, backlog: 0, run: { memory: undefined, start: 0, end: 0 } };
    this.#viewers.set(viewer, attached);
    if (this.#streaming && !this.#video?.codec) {
      this.#start(attached, []);
    } else if (this.#cacheValid && this.#streaming) {
      this.#start(attached, this.#cache.packets());
    } else {
      attached.startTimer = setTimeout(() => this.#start(attached, []), this.#limits.playWaitMs);
    }
  }

  /** Stops sending to a viewer; true if it was playing. */
  detach(viewer: HubViewer): boolean {
    const attached = this.#viewers.get(viewer);
    if (!attached) return false;
    clearTimeout(attached.startTimer);
    this.#flush(attached);
    this.#viewers.delete(viewer);
    return true;
  }

  /** Lets every viewer go with this reason. */
  endAll(reason: string): void {
    for (const attached of [...this.#viewers.values()]) this.#end(attached, reason);
  }

  // ---- the media path: runs per packet; per viewer it only extends a run of frames to write ----

  frame(track: UpstreamTrack, rtcp: boolean, packet: Buffer, frame: Buffer): void {
    this.#stats.bytesIn += packet.length + 4;
    const continuity = this.#continuity[track.index];
    if (rtcp) {
      if (continuity?.rtcp(packet)) this.#fanOutRtcp(track.index, packet, frame);
      return;
    }
    continuity?.rtp(packet);

    let keyStart = false;
    const video = this.#video;
    if (track === video && video.codec) {
      const payloadOffset = rtpPayloadOffset(packet);
      const timestamp = payloadOffset < 0 ? undefined : packet.readUInt32BE(4);
      if (
        timestamp !== undefined &&
        timestamp !== this.#cacheTimestamp &&
        isKeyframeStart(video.codec, packet, payloadOffset, rtpPayloadEnd(packet))
      ) {
        keyStart = true;
        this.#resetCache(timestamp);
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
    if (this.#backlogOf(attached) > this.#limits.viewerQueueBytes) {
      this.#drop(attached);
      return;
    }
    attached.stalledSince = undefined;
    if (attached.waiting) {
      const video = this.#video;
      const resumes = keyStart || video === undefined || attached.viewer.channelOf(video.index) === undefined;
      if (!resumes) {
        this.#stats.packetsDropped++;
        return;
      }
      attached.waiting = false;
    }
    this.#send(attached, channel, packet, frame);
  }

  #drop(attached: Attached): void {
    this.#stats.packetsDropped++;
    attached.waiting = true;
    const now = Date.now();
    attached.stalledSince ??= now;
    if (now - attached.stalledSince > this.#limits.viewerStallMs) {
      this.#end(attached, `stopped reading for ${this.#limits.viewerStallMs / 1000} s`);
    }
  }

  /** The viewer's backlog: measured at its first write of the turn, then fixed for the turn. */
  #backlogOf(attached: Attached): number {
    return this.#corked.has(attached) ? attached.backlog : attached.viewer.socket.writableLength;
  }

  #write(attached: Attached, track: number, packet: Buffer): void {
    const channel = attached.viewer.channelOf(track);
    if (channel !== undefined) this.#send(attached, channel, packet);
  }

  #fanOutRtcp(track: number, packet: Buffer, frame: Buffer): void {
    for (const attached of this.#viewers.values()) {
      if (!attached.started || attached.waiting) continue;
      const channel = attached.viewer.channelOf(track);
      if (channel !== undefined && this.#backlogOf(attached) <= this.#limits.viewerQueueBytes) {
        this.#send(attached, channel + 1, packet, frame);
      }
    }
  }

  /**
   * Per-write costs dominate relaying (see docs/BENCHMARKS.md): a frame on the channel the viewer
   * set up (the usual case) is not written at once but joins the viewer's run when it lies right
   * after it in the same upstream chunk, so a whole TLS record's frames (a dozen) leave as one view
   * in one write, with no header allocated. The socket stays corked until the event loop's reads
   * of this turn are done (setImmediate, not the end of the tick): a base station that sends one
   * RTP packet per TLS record hands us each record as a read of its own, dozens per turn, and they
   * leave in one writev per viewer instead of one write each (docs/BENCHMARKS.md). The viewer's
   * backlog is measured before its batch begins, so batching never counts against it.
   */
  #send(attached: Attached, channel: number, packet: Buffer, frame?: Buffer): void {
    const socket = attached.viewer.socket;
    if (!this.#corked.has(attached)) {
      if (this.#corked.size === 0) setImmediate(this.#uncorkAll);
      this.#corked.add(attached);
      attached.backlog = socket.writableLength;
      socket.cork();
    }
    this.#stats.bytesOut += packet.length + 4;
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
    this.#onEnded();
  }
}
