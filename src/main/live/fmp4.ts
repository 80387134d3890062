// Pictures and AAC frames into fragmented MP4 for Media Source Extensions, muxed by mediabunny
// (a maintained, dependency-free TypeScript muxer that takes encoded packets in Node and writes
// fMP4 append-only). Every picture is handed over as a sync sample so each one closes a fragment
// at once: mediabunny starts fragments only at sync samples, and honest flags would hold a whole
// GOP (seconds) back from the player. The stream starts at a real keyframe, and a live player
// never seeks back into it, so the flags decide nothing else.

import { EncodedAudioPacketSource, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output, StreamTarget, type StreamTargetChunk } from 'mediabunny';
import { isSps, type AacFrame, type AccessUnit } from './depacketize.js';
import { h264Format, h265Format, type VideoFormat } from '../rtsp/sps.js';
import type { LiveTracks } from './tracks.js';
import type { LiveFormat } from '../../shared/live.js';

export interface Fmp4Sink {
  /** Called once, before the first bytes: what the player must support. */
  format(format: LiveFormat): void;
  /** The next bytes of the fMP4 stream (init segment first, then fragments). */
  data(bytes: Uint8Array): void;
  /** The muxer failed; the stream cannot go on. */
  fail(error: Error): void;
}

const START_CODE = Buffer.from([0, 0, 0, 1]);

/** Timestamps from 32-bit RTP ticks into seconds since the stream's first picture. */
class Clock {
  #last: number | undefined;
  #ticks = 0;
  constructor(readonly rate: number) {}
  seconds(rtp: number): number {
    if (this.#last !== undefined) this.#ticks += (rtp - this.#last) | 0; // wraps and small reorders
    this.#last = rtp;
    return this.#ticks / this.rate;
  }
}

export class Fmp4Muxer {
  readonly #tracks: LiveTracks;
  readonly #sink: Fmp4Sink;
  #output: Output | undefined;
  #video: EncodedVideoPacketSource | undefined;
  #audio: EncodedAudioPacketSource | undefined;
  #videoClock: Clock;
  #audioClock: Clock | undefined;
  /** Where audio's own clock starts on the video's timeline (no RTCP needed for a live view). */
  #audioOffset = 0;
  /** The audio frame's RTP timestamp received last before the first picture. */
  #audioAnchor: number | undefined;
  #audioStarted = false;
  #lastVideoSeconds = 0;
  #frameSeconds = 1 / 15;
  /** Muxer calls in order; mediabunny's adds are asynchronous. */
  #queue: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(tracks: LiveTracks, sink: Fmp4Sink) {
    this.#tracks = tracks;
    this.#sink = sink;
    this.#videoClock = new Clock(tracks.video.clockRate);
  }

  video(unit: AccessUnit): void {
    if (!this.#output && !unit.keyframe) return;
    const codec = this.#tracks.video.codec;
    const nals = unit.keyframe && !unit.nals.some((n) => isSps(codec, n)) ? [...this.#tracks.video.parameterSets, ...unit.nals] : unit.nals;
    const meta = this.#output ? undefined : this.#start(nals);
    if (!this.#output) return;
    const seconds = this.#videoClock.seconds(unit.timestamp);
    if (seconds > this.#lastVideoSeconds) this.#frameSeconds = Math.min(seconds - this.#lastVideoSeconds, 1);
    this.#lastVideoSeconds = seconds;
    const data = Buffer.concat(nals.flatMap((nal) => [START_CODE, nal]));
    const packet = new EncodedPacket(data, 'key', seconds, this.#frameSeconds);
    this.#run(() => this.#video!.add(packet, meta));
  }

  audio(frame: AacFrame): void {
    const track = this.#tracks.audio;
    if (!track) return;
    if (!this.#output) {
      // The hub's keyframe cache starts with the audio packet received just before the keyframe:
      // its timestamp marks the video's start on the audio clock, so the cached audio lines up.
      this.#audioAnchor = frame.timestamp;
      return;
    }
    if (!this.#audio) return;
    const frameSeconds = 1024 / track.sampleRate;
    let clock = this.#audioClock;
    if (!clock) {
      clock = new Clock(track.sampleRate);
      this.#audioClock = clock;
      if (this.#audioAnchor === undefined) {
        this.#audioOffset = this.#lastVideoSeconds; // no anchor: audio starts now
      } else {
        clock.seconds(this.#audioAnchor);
        // A player starts only when every track has data at 0: the first frame after the anchor
        // (less than two frames later) moves to 0, the rest with it.
        const start = clock.seconds(frame.timestamp);
        if (start > 0 && start < 2 * frameSeconds) this.#audioOffset = -start;
      }
    }
    const seconds = this.#audioOffset + clock.seconds(frame.timestamp);
    if (seconds < 0) return;
    const packet = new EncodedPacket(frame.frame, 'key', seconds, frameSeconds);
    const first = !this.#audioStarted;
    this.#audioStarted = true;
    const meta = first ? { decoderConfig: { codec: audioCodec(track.config), numberOfChannels: track.channels, sampleRate: track.sampleRate, description: track.config } } : undefined;
    this.#run(() => this.#audio!.add(packet, meta));
  }

  /** Stops muxing; bytes not yet written are dropped (a live view has no end to write). */
  close(): void {
    this.#failed = true;
    const output = this.#output;
    if (output) void this.#queue.then(() => output.cancel()).catch(() => undefined);
  }

  /** Opens the output for the stream whose first keyframe this is; answers the decoder configuration. */
  #start(keyframeNals: Buffer[]): EncodedVideoChunkMetadata | undefined {
    const { video, audio } = this.#tracks;
    const sps = keyframeNals.find((n) => isSps(video.codec, n));
    let format: VideoFormat;
    try {
      if (!sps) throw new Error('the first keyframe came without a sequence parameter set');
      format = video.codec === 'h264' ? h264Format(sps) : h265Format(sps);
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
    const output = new Output({
      format: new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 0 }),
      target: new StreamTarget(new WritableStream<StreamTargetChunk>({ write: (chunk) => this.#write(chunk) })),
    });
    this.#output = output;
    this.#video = new EncodedVideoPacketSource(video.codec === 'h264' ? 'avc' : 'hevc');
    output.addVideoTrack(this.#video);
    if (audio) {
      this.#audio = new EncodedAudioPacketSource('aac');
      output.addAudioTrack(this.#audio);
    }
    this.#sink.format({
      ...format,
      hevc: video.codec === 'h265',
      audio: audio !== undefined,
      mime: `video/mp4; codecs="${[format.codec, ...(audio ? [audioCodec(audio.config)] : [])].join(',')}"`,
    });
    this.#run(() => output.start());
    return { decoderConfig: { codec: format.codec, codedWidth: format.width, codedHeight: format.height } };
  }

  #position = 0;

  #write(chunk: StreamTargetChunk): void {
    if (chunk.position !== this.#position) {
      this.#fail(new Error(`the muxer wrote out of order (at ${chunk.position}, expected ${this.#position})`));
      return;
    }
    this.#position += chunk.data.byteLength;
    if (!this.#failed) this.#sink.data(chunk.data);
  }

  #run(task: () => Promise<unknown>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#failed) return;
      try {
        await task();
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#sink.fail(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `mp4a.40.<audio object type>` from an AudioSpecificConfig. */
function audioCodec(config: Buffer): string {
  return `mp4a.40.${(config[0] ?? 0x10) >> 3}`;
}
