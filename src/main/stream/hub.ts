// One camera's stream: a single upstream session shared by every viewer (the base station allows
// one stream per camera). What happens to the session is decided by the lifecycle's transition
// function (lifecycle.ts); the hub only turns its effects into sockets and timers, and hands the
// frames to the fan-out (fanout.ts).
//
// A session is alive while media arrives, as players judge it: no RTP for `silenceMs` and it is
// replaced (after its TEARDOWN), while the viewers keep their connections and pick up the new
// session's packets from its first keyframe.

import type { CameraStreamState } from '../../shared/api.js';
import type { Logger } from '../log.js';
import { StreamError, type StreamErrorCode } from './errors.js';
import { FanOut, type FanOutLimits, type FanOutStats, type HubViewer } from './fanout.js';
import { INITIAL, transition, type Effect, type Lifecycle, type LifecycleEvent, type Phase, type WaitReason } from './lifecycle.js';
import { createDispatcher } from './dispatcher.js';
import { infoOfSdp, type StreamInfo, type StreamSource } from './source.js';
import { CAMERA_WAKE_MS, type UpstreamHooks, type UpstreamPhase, type UpstreamSession, type UpstreamTrack } from './upstream.js';

export type { HubViewer } from './fanout.js';
export type HubState = CameraStreamState;

export type { StreamInfo } from './source.js';

export interface HubLimits extends FanOutLimits {
  /** Delays before the next attempt after 1, 2, ... failures in a row (the last one repeats). */
  retryDelaysMs: readonly number[];
  /**
   * A session with no media for this long is replaced. The base station streams continuously once
   * PLAY is answered (video at the camera's frame rate, a keyframe every few seconds), and a
   * battery camera stays awake while a session is open; 10 s is several keyframe intervals, long
   * enough that a Wi-Fi stall of a few seconds is not taken for a dead session, short enough that a
   * viewer (whose player gives up after its own timeout) gets its picture back.
   */
  silenceMs: number;
  /**
   * The silence allowed before a session's first media. A base station may answer PLAY at once and
   * send the camera's stream only once the camera has woken; FFmpeg waits for that first packet
   * without a limit, and replacing the session would only wake the camera again from the start.
   */
  firstMediaMs: number;
}

export const DEFAULT_HUB_LIMITS: Readonly<HubLimits> = {
  cacheBytes: 4 * 1024 * 1024,
  viewerQueueBytes: 8 * 1024 * 1024,
  viewerStallMs: 15_000,
  playWaitMs: 5_000,
  retryDelaysMs: [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000],
  silenceMs: 10_000,
  firstMediaMs: CAMERA_WAKE_MS,
};

export interface HubOptions {
  logger: Logger;
  lingerMs: number;
  /** Opens the upstream session with these hooks (bound to the camera's base station by the caller). */
  open(hooks: UpstreamHooks): Promise<UpstreamSession>;
  /** Something a user would see changed (state, error, viewers); not called per packet. */
  onChange(): void;
  /** The lifecycle entered another phase (the manager reacts to some: certificate rejected, unreachable). */
  onPhase?(phase: Phase): void;
  limits?: Partial<HubLimits>;
  /** The description of the camera's last session (kept across restarts), for `remembered()`. */
  knownSdp?: string;
  /** A session described its stream (the caller keeps it, for `knownSdp` next time). */
  onDescribed?(sdpText: string): void;
}

export interface HubStats extends FanOutStats {
  upstreamSessions: number;
  /** Sessions opened again after the previous one was lost or went silent while wanted. */
  reconnects: number;
  /** Sessions replaced because no media came for the silence limit. */
  mediaSilences: number;
  /** Keep-alives answered with an error or not at all (they never end a session). */
  keepAliveFailures: number;
}

/** What a user sees of the stream. */
export interface HubStatus {
  state: HubState;
  /** What went wrong, while it matters (waiting, failed, reconnecting, or the last attempt). */
  error?: string;
  /** While `state` is `waiting`: why, and when the next attempt starts (epoch ms). */
  waitReason?: WaitReason;
  retryAt?: number;
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

interface Waiter {
  resolve(info: StreamInfo): void;
  reject(error: StreamError): void;
}

export class CameraHub implements StreamSource {
  readonly stats: HubStats = { bytesIn: 0, bytesOut: 0, packetsDropped: 0, upstreamSessions: 0, reconnects: 0, mediaSilences: 0, keepAliveFailures: 0 };

  readonly #options: HubOptions;
  readonly #limits: HubLimits;
  readonly #log: Logger;
  readonly #fanOut: FanOut;
  #lifecycle: Lifecycle = INITIAL;
  #leases = 0;
  /** Numbers the open attempts; hooks of any other attempt than the current or live one are ignored. */
  #attempt = 0;
  #liveAttempt = 0;
  /** A session was lost or went silent while wanted: the next one adopted is a reconnect. */
  #recovering = false;
  /** How far the attempt in flight got, for the user: TCP/TLS connect, then the RTSP exchange. */
  #step: UpstreamPhase = 'connecting';
  #upstream: UpstreamSession | undefined;
  /** The session an attempt delivered, until the lifecycle adopts or discards it. */
  #arrived: UpstreamSession | undefined;
  /** The phase's timer: the linger, or the next attempt. */
  #timer: NodeJS.Timeout | undefined;
  #silenceWatch: NodeJS.Timeout | undefined;
  /** Frames seen, and their count and time at the watchdog's last look. */
  #frames = 0;
  #framesSeen = 0;
  #mediaAt = 0;
  /** The frame count when the current session was adopted: equal to `#frames` until its first media. */
  #framesAtAdopt = 0;
  readonly #waiters: Waiter[] = [];
  /** Opens and TEARDOWNs in flight; `close()` waits for them. */
  readonly #work = new Set<Promise<void>>();
  /** Frames of the session being opened, until it is adopted. */
  #held: HeldFrame[] = [];
  #heldBytes = 0;
  /** The last session's description: the one given, then each adopted session's. */
  #known: StreamInfo | undefined;

  constructor(options: HubOptions) {
    this.#options = options;
    if (options.knownSdp !== undefined) this.#known = safeInfoOfSdp(options.knownSdp);
    this.#limits = { ...DEFAULT_HUB_LIMITS, ...options.limits };
    this.#log = options.logger;
    this.#fanOut = new FanOut(this.#limits, this.stats, () => this.#checkDemand());
  }

  get viewers(): number {
    return this.#fanOut.viewers;
  }

  get phase(): Phase {
    return this.#lifecycle.phase;
  }

  get state(): HubState {
    return this.status().state;
  }

  get error(): string | undefined {
    return this.status().error;
  }

  /** The lifecycle as a user reads it. */
  status(): HubStatus {
    const { phase, wanted } = this.#lifecycle;
    switch (phase.name) {
      case 'idle':
        return phase.last ? { state: 'idle', error: phase.last.message } : { state: 'idle' };
      case 'opening':
        return { state: this.#step === 'connecting' ? 'connecting' : 'waking', ...(phase.problem ? { error: phase.problem.message } : {}) };
      case 'live':
      case 'lingering':
        return { state: 'media' };
      case 'closing':
        if (phase.problem) return { state: 'connecting', error: phase.problem.message };
        return { state: wanted ? 'connecting' : 'idle' };
      case 'waiting':
        return { state: 'waiting', error: phase.problem.message, waitReason: phase.problem.reason, retryAt: phase.retryAt };
      case 'failed':
        return { state: 'error', error: phase.problem.message };
      case 'stopped':
        return { state: 'idle' };
    }
  }

  /** A viewer connection holds the stream open (until `release()`), whether or not it plays. */
  acquire(): void {
    this.#leases++;
    this.#dispatch({ type: 'wanted' });
  }

  release(): void {
    this.#leases = Math.max(0, this.#leases - 1);
    this.#checkDemand();
  }

  /**
   * The stream's description, once a session plays (needs a lease). Waits through the lifecycle's
   * backoff (a busy camera, a base station waking up); rejects when the stream fails or stops.
   */
  describe(): Promise<StreamInfo> {
    const { phase, wanted } = this.#lifecycle;
    if (phase.name === 'stopped') return Promise.reject(new StreamError('closed', 'this camera is stopped'));
    if (!wanted) return Promise.reject(new StreamError('closed', 'acquire the stream before describing it'));
    if (this.#upstream) return Promise.resolve(infoOf(this.#upstream));
    // Failed while wanted: no phase change is coming until a new viewer or the user acts, so a
    // waiter would wait for ever (a player set up from the remembered description, at its PLAY).
    if (phase.name === 'failed') return Promise.reject(new StreamError(phase.problem.reason, phase.problem.message));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  remembered(): StreamInfo | undefined {
    return this.#upstream ? undefined : this.#known;
  }

  /** Starts sending to a viewer (PLAY): from the cached keyframe at once, else from the next one. */
  play(viewer: HubViewer): void {
    this.#fanOut.play(viewer);
    this.#dispatch({ type: 'wanted' });
    this.#options.onChange();
  }

  /** Stops sending to a viewer (PAUSE, TEARDOWN, its connection closed). */
  detach(viewer: HubViewer): void {
    if (this.#fanOut.detach(viewer)) this.#options.onChange();
    this.#checkDemand();
  }

  /**
   * Replaces a session presumed dead without waiting for the silence limit (the computer woke from
   * sleep: the base station has long dropped it): the same path as a silent session, so viewers
   * stay connected and pick up the new one.
   */
  replaceSession(message: string): void {
    const { name } = this.#lifecycle.phase;
    if (name === 'live' || name === 'lingering') this.#dispatch({ type: 'silent', message });
  }

  /** Lets every viewer go and tears the upstream session down; returns once nothing is in flight. */
  async close(): Promise<void> {
    this.#dispatch({ type: 'close' });
    this.#fanOut.endAll('the camera was stopped');
    while (this.#work.size > 0) await Promise.all(this.#work);
  }

  #checkDemand(): void {
    if (this.#leases === 0 && this.#fanOut.viewers === 0 && this.#lifecycle.wanted) this.#dispatch({ type: 'unwanted' });
  }

  // ---- the lifecycle's effects ----

  readonly #dispatch = createDispatcher<LifecycleEvent>((event) => this.#apply(event));

  #apply(event: LifecycleEvent): void {
    const before = this.#lifecycle;
    const { next, effects } = transition(before, event, this.#limits);
    this.#lifecycle = next;
    if (event.type === 'lost' || event.type === 'silent') this.#recovering = true;
    for (const effect of effects) this.#run(effect);
    if (next.phase !== before.phase) this.#entered(next.phase);
  }

  #run(effect: Effect): void {
    switch (effect) {
      case 'open':
        this.#open();
        return;
      case 'adopt':
        this.#adopt();
        return;
      case 'teardown': {
        const upstream = this.#upstream;
        this.#upstream = undefined;
        this.#liveAttempt = 0;
        this.#fanOut.replaced(undefined);
        if (upstream) this.#track(upstream.close().then(() => this.#dispatch({ type: 'teardown-done' })));
        return;
      }
      case 'discard': {
        const arrived = this.#arrived;
        this.#arrived = undefined;
        if (arrived) this.#track(arrived.close());
        return;
      }
      case 'end-viewers': {
        const { phase } = this.#lifecycle;
        this.#fanOut.endAll(phase.name === 'failed' ? phase.problem.message : 'the stream ended');
        return;
      }
    }
  }

  /** Timers follow the phase; waiting `describe()` calls are answered once the outcome is known. */
  #entered(phase: Phase): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (phase.name === 'lingering') {
      this.#timer = setTimeout(() => this.#dispatch({ type: 'linger-expired' }), this.#options.lingerMs);
    } else if (phase.name === 'waiting') {
      this.#log.warn({ reason: phase.problem.reason, err: phase.problem.message, retryInMs: phase.retryAt - Date.now() }, 'stream waiting to retry');
      this.#timer = setTimeout(() => this.#dispatch({ type: 'retry-due' }), Math.max(0, phase.retryAt - Date.now()));
    } else if (phase.name === 'failed') {
      this.#log.warn({ reason: phase.problem.reason, err: phase.problem.message }, 'stream failed');
    }
    const up = phase.name === 'live' || phase.name === 'lingering';
    if (up) this.#watchSilence();
    else {
      clearInterval(this.#silenceWatch);
      this.#silenceWatch = undefined;
    }
    if (up && this.#upstream) this.#settleWaiters((w) => w.resolve(infoOf(this.#upstream!)));
    else if (phase.name === 'failed' || phase.name === 'stopped' || phase.name === 'idle') {
      // Nobody waits for the lost session any more: a later one is a new start, not a reconnect.
      this.#recovering = false;
      const message = phase.name === 'failed' ? phase.problem.message : phase.name === 'idle' && phase.last ? phase.last.message : 'this camera is stopped';
      const code: StreamErrorCode = phase.name === 'failed' ? phase.problem.reason : 'closed';
      this.#settleWaiters((w) => w.reject(new StreamError(code, message)));
    }
    this.#options.onPhase?.(phase);
    this.#options.onChange();
  }

  #settleWaiters(settle: (waiter: Waiter) => void): void {
    for (const waiter of this.#waiters.splice(0)) settle(waiter);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#log.debug({ err: String(error) }, 'upstream close failed'));
    this.#work.add(tracked);
    void tracked.then(() => this.#work.delete(tracked));
  }

  #open(): void {
    const attempt = ++this.#attempt;
    this.#releaseHeld();
    this.#step = 'connecting';
    const opening = this.#options.open({
      onFrame: (track, rtcp, packet, frame) => {
        if (attempt === this.#liveAttempt) {
          this.#frames++;
          this.#fanOut.frame(track, rtcp, packet, frame);
        } else if (attempt === this.#attempt && this.#arrived === undefined) {
          this.#hold(track, rtcp, packet, frame);
        }
      },
      onPhase: (step) => {
        if (attempt === this.#attempt && step !== 'media' && this.#lifecycle.phase.name === 'opening') {
          this.#step = step;
          this.#options.onChange();
        }
      },
      onKeepAliveFailure: () => {
        this.stats.keepAliveFailures++;
      },
      onClose: (error) => {
        if (attempt !== this.#liveAttempt) return;
        this.#log.warn({ err: error.message }, 'upstream session lost');
        this.#upstream = undefined;
        this.#liveAttempt = 0;
        this.#fanOut.replaced(undefined);
        this.#dispatch({ type: 'lost', message: `${error.message}; reconnecting`, at: Date.now() });
      },
    });
    this.#track(
      opening.then(
        (session) => {
          this.#arrived = session;
          this.#dispatch({ type: 'opened' });
        },
        (error: unknown) => {
          this.#releaseHeld();
          const failure = error instanceof StreamError ? error : new StreamError('protocol', String(error), { cause: error });
          this.#log.warn({ code: failure.code, err: failure.message }, 'upstream failed');
          this.#dispatch({ type: 'open-failed', problem: { reason: failure.code, message: failure.message }, at: Date.now() });
        },
      ),
    );
  }

  #adopt(): void {
    const upstream = this.#arrived!;
    this.#arrived = undefined;
    this.#upstream = upstream;
    this.#liveAttempt = this.#attempt;
    this.stats.upstreamSessions++;
    if (this.#recovering) this.stats.reconnects++;
    this.#recovering = false;
    this.#fanOut.replaced(upstream.tracks);
    if (this.#known?.sdpText !== upstream.sdpText) {
      this.#known = infoOf(upstream);
      this.#options.onDescribed?.(upstream.sdpText);
    }
    const held = this.#held;
    this.#releaseHeld();
    this.#framesAtAdopt = this.#frames;
    this.#frames += held.length;
    for (const { track, rtcp, packet, frame } of held) this.#fanOut.frame(track, rtcp, packet, frame);
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

  /**
   * Looks a few times per silence limit whether frames came since the last look; the count is all
   * the media path pays (no clock read per packet). Before the session's first media the limit is
   * `firstMediaMs`.
   */
  #watchSilence(): void {
    if (this.#silenceWatch) return;
    const { silenceMs, firstMediaMs } = this.#limits;
    this.#mediaAt = Date.now();
    this.#framesSeen = this.#frames;
    this.#silenceWatch = setInterval(() => {
      const now = Date.now();
      const waking = this.#frames === this.#framesAtAdopt;
      if (this.#frames !== this.#framesSeen) {
        this.#framesSeen = this.#frames;
        this.#mediaAt = now;
      } else if (now - this.#mediaAt >= (waking ? firstMediaMs : silenceMs)) {
        this.stats.mediaSilences++;
        const seconds = Math.round((now - this.#mediaAt) / 1000);
        const message = waking
          ? `no media from the base station in the ${seconds} s after it answered PLAY (the camera may be asleep or offline); replacing the session`
          : `no media from the base station for ${seconds} s; replacing the session`;
        this.#log.warn({ silentMs: now - this.#mediaAt }, 'upstream session silent');
        this.#dispatch({ type: 'silent', message });
      }
    }, Math.max(50, silenceMs / 4));
    this.#silenceWatch.unref();
  }
}

/** A kept description that no longer parses is as good as none. */
function safeInfoOfSdp(sdpText: string): StreamInfo | undefined {
  try {
    const info = infoOfSdp(sdpText);
    return info.tracks.length > 0 ? info : undefined;
  } catch {
    return undefined;
  }
}

function infoOf(upstream: UpstreamSession): StreamInfo {
  return { sdpText: upstream.sdpText, tracks: upstream.tracks };
}
