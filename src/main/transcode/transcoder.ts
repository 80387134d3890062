// One derived stream of a camera (H.264 at its size, or the sub-stream): an ffmpeg child that is one
// more viewer of the camera's hub, read over a loopback RTSP URL of the hub itself, and that
// publishes its output back to us (ingest.ts), whose frames go to this stream's own fan-out: its
// viewers get the same keyframe cache, bounded queues and RTP continuity across ffmpeg restarts as a
// camera's. ffmpeg starts with the first viewer and stops when the last one leaves (the camera then
// lingers as after any viewer). The transcoder holds a lease on the hub while wanted, so a derived
// viewer wakes the camera as any viewer does.
//
// Fair to the others: ffmpeg reads the hub like any viewer, so one that falls behind has packets
// dropped (to the next keyframe) and is let go when stalled, never slowing anyone; one whose output
// stops for `OUTPUT_STALL_MS` is killed and started again.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';
import { StreamError } from '../stream/errors.js';
import { createDispatcher } from '../stream/dispatcher.js';
import { FanOut, type HubViewer } from '../stream/fanout.js';
import { DEFAULT_HUB_LIMITS, type HubStats } from '../stream/hub.js';
import { infoOfSdp, sameTracks, type StreamInfo, type StreamSource } from '../stream/source.js';
import { derivedFfmpegArgs } from './command.js';
import type { H264Encoder } from './encoder.js';
import type { IngestServer } from './ingest.js';
import { TRANSCODE_INITIAL, transcodeTransition, transcoderState, type TranscodeEvent, type TranscodeLifecycle } from './lifecycle.js';
import type { TranscoderState } from '../../shared/streams.js';

/** No frame out of a running ffmpeg for this long: it is stuck (its input stalled, or it hangs); killed and started again. */
export const OUTPUT_STALL_MS = 10_000;
/** A started ffmpeg that has not announced its output this long after the camera streams is stuck too. */
export const START_TIMEOUT_MS = 30_000;
/** SIGTERM first (ffmpeg closes its output), SIGKILL when it has not exited after this. */
const KILL_GRACE_MS = 3_000;

export interface TranscoderOptions {
  /** `h264` or `sub`, for the log. */
  kind: string;
  logger: Logger;
  /** The camera's stream: leased while wanted, and described for the audio decision and the size. */
  camera: StreamSource;
  /** What a start needs (probed and opened once, by the caller), or why ffmpeg cannot run. */
  prepare(): Promise<Prepared | { unavailable: string }>;
  /** The sub-stream's scaling for the camera's stream; undefined: the camera's size and rate. */
  scale?(camera: StreamInfo): { width: number; height: number; fps: number } | undefined;
  /** A description of an earlier run (kept by the caller), for `remembered()`. */
  knownSdp?: string;
  onDescribed?(sdpText: string): void;
  onChange(): void;
}

export interface Prepared {
  ffmpeg: string;
  encoder: H264Encoder;
  /** A loopback RTSP URL of the camera's stream, for ffmpeg's input. */
  input: string;
  /** Where ffmpeg publishes its output. */
  ingest: IngestServer;
}

interface Waiter {
  resolve(info: StreamInfo): void;
  reject(error: StreamError): void;
}

export class Transcoder implements StreamSource {
  readonly stats: HubStats = { bytesIn: 0, bytesOut: 0, packetsDropped: 0, upstreamSessions: 0, reconnects: 0, mediaSilences: 0, keepAliveFailures: 0 };
  /** ffmpeg processes started over this transcoder's life (the tests count them). */
  starts = 0;
  readonly #options: TranscoderOptions;
  readonly #log: Logger;
  readonly #fanOut: FanOut;
  #lifecycle: TranscodeLifecycle = TRANSCODE_INITIAL;
  #leases = 0;
  #child: ChildProcess | undefined;
  /** Numbers the starts; a start that finds a later one begun gives way. */
  #attempt = 0;
  #forget: (() => void) | undefined;
  #info: StreamInfo | undefined;
  #known: StreamInfo | undefined;
  readonly #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #watch: NodeJS.Timeout | undefined;
  #frames = 0;
  #framesSeen = 0;
  #progressAt = 0;
  #error: string | undefined;

  constructor(options: TranscoderOptions) {
    this.#options = options;
    this.#log = options.logger.child({ derived: options.kind });
    this.#fanOut = new FanOut(DEFAULT_HUB_LIMITS, this.stats, () => this.#checkDemand());
    if (options.knownSdp !== undefined) {
      try {
        this.#known = infoOfSdp(options.knownSdp);
      } catch {
        this.#known = undefined;
      }
    }
  }

  get state(): TranscoderState {
    return transcoderState(this.#lifecycle.phase);
  }

  /** Why it failed or restarts, while it matters. */
  get error(): string | undefined {
    const { phase } = this.#lifecycle;
    if (phase.name === 'failed') return phase.message;
    if (phase.name === 'restarting') return phase.message;
    return phase.name === 'starting' && phase.failures > 0 ? this.#error : undefined;
  }

  get viewers(): number {
    return this.#fanOut.viewers;
  }

  /** Whether an ffmpeg child runs now. */
  get childRunning(): boolean {
    return this.#child !== undefined;
  }

  acquire(): void {
    if (this.#leases++ === 0) this.#options.camera.acquire();
    this.#dispatch({ type: 'wanted' });
  }

  release(): void {
    if (this.#leases === 0) return;
    if (--this.#leases === 0) this.#options.camera.release();
    this.#checkDemand();
  }

  describe(): Promise<StreamInfo> {
    const { phase, wanted } = this.#lifecycle;
    if (phase.name === 'closed') return Promise.reject(new StreamError('closed', 'this camera is stopped'));
    if (phase.name === 'failed') return Promise.reject(new StreamError('closed', phase.message));
    if (!wanted) return Promise.reject(new StreamError('closed', 'acquire the stream before describing it'));
    if (phase.name === 'running' && this.#info) return Promise.resolve(this.#info);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  remembered(): StreamInfo | undefined {
    return this.#lifecycle.phase.name === 'running' ? undefined : this.#known;
  }

  play(viewer: HubViewer): void {
    this.#fanOut.play(viewer);
    this.#dispatch({ type: 'wanted' });
    this.#options.onChange();
  }

  detach(viewer: HubViewer): void {
    if (this.#fanOut.detach(viewer)) this.#options.onChange();
    this.#checkDemand();
  }

  /** Ends every viewer and the child; resolves once the child is gone. */
  async close(): Promise<void> {
    const child = this.#child;
    this.#dispatch({ type: 'close' });
    if (child && child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }

  #checkDemand(): void {
    if (this.#leases === 0 && this.#fanOut.viewers === 0 && this.#lifecycle.wanted) this.#dispatch({ type: 'unwanted' });
  }

  readonly #dispatch = createDispatcher<TranscodeEvent>((event) => this.#apply(event));

  #apply(event: TranscodeEvent): void {
    const before = this.#lifecycle.phase;
    const { next, effects } = transcodeTransition(this.#lifecycle, event);
    this.#lifecycle = next;
    if (event.type === 'exited') this.#error = event.message;
    for (const effect of effects) this.#run(effect);
    if (next.phase !== before) this.#entered();
  }

  #run(effect: string): void {
    switch (effect) {
      case 'spawn':
        void this.#spawn();
        return;
      case 'kill':
        this.#kill();
        return;
      case 'settle': {
        const { phase } = this.#lifecycle;
        const waiters = this.#waiters.splice(0);
        if (phase.name === 'running' && this.#info) for (const w of waiters) w.resolve(this.#info);
        else {
          const message = phase.name === 'failed' ? phase.message : 'this camera is stopped';
          for (const w of waiters) w.reject(new StreamError('closed', message));
        }
        return;
      }
      case 'end-viewers': {
        const { phase } = this.#lifecycle;
        this.#fanOut.endAll(phase.name === 'failed' ? phase.message : 'the stream ended');
      }
    }
  }

  #entered(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { phase } = this.#lifecycle;
    if (phase.name === 'restarting') {
      this.#log.warn({ err: phase.message, retryInMs: phase.retryAt - Date.now() }, 'transcoder restarting');
      this.#timer = setTimeout(() => this.#dispatch({ type: 'retry-due' }), Math.max(0, phase.retryAt - Date.now()));
    }
    if (phase.name === 'failed') this.#log.warn({ err: phase.message }, 'transcoder failed');
    this.#options.onChange();
  }

  async #spawn(): Promise<void> {
    const attempt = ++this.#attempt;
    const choice = await this.#options.prepare();
    if (attempt !== this.#attempt) return;
    if ('unavailable' in choice) {
      this.#dispatch({ type: 'unavailable', message: choice.unavailable });
      return;
    }
    let camera: StreamInfo;
    try {
      camera = await this.#options.camera.describe();
    } catch (error) {
      if (attempt !== this.#attempt) return;
      // The camera's own stream failed: its viewers of the derived path hear why.
      const message = error instanceof Error ? error.message : String(error);
      for (const w of this.#waiters.splice(0)) w.reject(new StreamError('closed', message));
      this.#dispatch({ type: 'exited', message, at: Date.now() });
      return;
    }
    if (attempt !== this.#attempt) return; // a later start took over
    if (this.#lifecycle.phase.name !== 'starting') {
      // Unwanted (or closed) while the camera woke: nothing to kill, and the lifecycle waits for an exit.
      this.#dispatch({ type: 'exited', message: 'stopped before ffmpeg started', at: Date.now() });
      return;
    }
    const publication = choice.ingest.expect({
      announced: (info) => this.#announced(info),
      frame: (track, rtcp, packet, frame) => {
        this.#frames++;
        this.#fanOut.frame(track, rtcp, packet, frame);
      },
      closed: () => undefined,
    });
    this.#forget = publication.forget;
    const scale = this.#options.scale?.(camera);
    const args = derivedFfmpegArgs({ input: choice.input, output: publication.url, encoder: choice.encoder, camera, ...(scale ? { scale } : {}) });
    this.starts++;
    this.#log.info({ encoder: choice.encoder.name, ...scale }, 'transcoder starting');
    const child = spawn(choice.ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
    this.#child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    child.on('error', (error) => this.#log.warn({ err: error.message }, 'ffmpeg could not be run'));
    child.once('close', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      clearInterval(this.#watch);
      this.#watch = undefined;
      this.#forget?.();
      this.#forget = undefined;
      this.#fanOut.replaced(undefined);
      const last = stderr.trim().split('\n').at(-1)?.slice(0, 300);
      const message = `ffmpeg stopped (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`;
      if (this.#lifecycle.phase.name === 'running' || this.#lifecycle.phase.name === 'starting') this.#log.warn({ err: message }, 'transcoder stopped');
      this.#dispatch({ type: 'exited', message, at: Date.now() });
    });
    this.#watchProgress();
  }

  #announced(info: StreamInfo): void {
    const first = this.#info === undefined;
    this.#info = info;
    this.stats.upstreamSessions++;
    if (!first) this.stats.reconnects++;
    if (this.#known && !sameTracks(this.#known, info)) this.#fanOut.endAll("the derived stream's tracks changed: connect again");
    this.#fanOut.replaced(info.tracks);
    if (this.#known?.sdpText !== info.sdpText) {
      this.#known = info;
      this.#options.onDescribed?.(info.sdpText);
    }
    this.#dispatch({ type: 'announced' });
  }

  /** Kills a child that stops producing: before its announcement within START_TIMEOUT_MS, after it within OUTPUT_STALL_MS. */
  #watchProgress(): void {
    this.#progressAt = Date.now();
    this.#framesSeen = this.#frames;
    this.#watch = setInterval(() => {
      const now = Date.now();
      if (this.#frames !== this.#framesSeen) {
        this.#framesSeen = this.#frames;
        this.#progressAt = now;
        return;
      }
      const limit = this.#lifecycle.phase.name === 'running' ? OUTPUT_STALL_MS : START_TIMEOUT_MS;
      if (now - this.#progressAt >= limit) {
        this.#log.warn({ silentMs: now - this.#progressAt }, 'transcoder stalled; restarting it');
        this.stats.mediaSilences++;
        this.#kill();
      }
    }, 1_000);
    this.#watch.unref();
  }

  #kill(): void {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    hard.unref();
    child.once('exit', () => clearTimeout(hard));
  }
}
