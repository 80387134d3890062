// What doctor's PLAY step reports of a stream, however it is watched (a session of its own, or
// this app's live one): codec, picture size, frame rate, keyframe interval, bit rate, and how long
// the first video took.

import type { VideoCodecName } from '../rtsp/keyframe.js';
import type { PictureSize } from '../rtsp/sps.js';

export class PlayMeter {
  readonly #started = performance.now();
  readonly #timestamps = new Set<number>();
  readonly #keyframes: number[] = [];
  #video: { codec: VideoCodecName; clockRate: number } | undefined;
  #firstVideoAt: number | undefined;
  #bytes = 0;
  size: PictureSize | undefined;

  /** `since`: what the meter's start is, for the first-video delay ("PLAY's answer"). */
  constructor(readonly since: string) {}

  /** Bytes that arrived (video, audio and RTCP alike: the bit rate is the stream's whole). */
  bytes(count: number): void {
    this.#bytes += count;
  }

  /** A piece of video (an RTP packet or a whole picture) with its RTP timestamp. */
  video(codec: VideoCodecName, clockRate: number, timestamp: number, keyframe: boolean): void {
    this.#firstVideoAt ??= performance.now();
    this.#video ??= { codec, clockRate };
    this.#timestamps.add(timestamp);
    if (keyframe && this.#keyframes.at(-1) !== timestamp) this.#keyframes.push(timestamp);
  }

  get sawVideo(): boolean {
    return this.#video !== undefined;
  }

  /** The measurements as the step's detail, `ending` last (e.g. "TEARDOWN sent"). */
  summary(ending: string): string {
    const seconds = (performance.now() - this.#started) / 1000;
    const video = this.#video;
    if (!video) return `no video arrived in ${seconds.toFixed(1)} s`;
    const span = spanSeconds([...this.#timestamps], video.clockRate);
    const fps = span > 0 ? (this.#timestamps.size - 1) / span : 0;
    const gaps = this.#keyframes.slice(1).map((ts, i) => ((ts - this.#keyframes[i]!) >>> 0) / video.clockRate);
    const keyframeInterval = gaps.length > 0 ? `keyframe every ${(gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(1)} s` : `${this.#keyframes.length} keyframe(s)`;
    return [
      `${video.codec === 'h264' ? 'H.264' : 'H.265'} ${this.size ? `${this.size.width}x${this.size.height}` : '(size not declared)'}`,
      `${fps.toFixed(1)} fps`,
      keyframeInterval,
      `${((this.#bytes * 8) / seconds / 1e6).toFixed(2)} Mbit/s over ${seconds.toFixed(1)} s`,
      `first video ${(Math.max(0, (this.#firstVideoAt ?? this.#started) - this.#started) / 1000).toFixed(1)} s after ${this.since}`,
      ending,
    ].join(', ');
  }
}

/** Seconds between the first and last RTP timestamp, across a 32-bit wrap. */
function spanSeconds(timestamps: number[], clockRate: number): number {
  if (timestamps.length < 2) return 0;
  const first = timestamps[0]!;
  const ticks = Math.max(...timestamps.map((ts) => (ts - first) >>> 0));
  return ticks / clockRate;
}
