// Sends one session's media in real time as interleaved RTP: frame i is due at start + i/fps on an
// absolute clock (timers only wake us; lateness never accumulates), looping the clip with RTP
// timestamps and sequence numbers that run on. A frame whose socket is still backed up is dropped
// whole and counted, never queued without bound.

import { frameHeader } from '../main/rtsp/message.js';
import { VIDEO_CLOCK_RATE } from './describe.js';
import { RtpPacketizer, packetizeAac, packetizeNal } from './packetizer.js';
import { STAMP_OFFSET, type SimMedia } from './source.js';

export interface MediaSink {
  /** Whether the connection can take another frame now. */
  ready(): boolean;
  write(chunks: Buffer[]): void;
  dropped(): void;
}

export interface TrackSetup {
  /** Interleaved channel of RTP (RTCP on channel + 1 is never sent). */
  channel: number;
  packetizer: RtpPacketizer;
}

const AAC_SAMPLES_PER_FRAME = 1024;

export class MediaPump {
  #start = 0;
  #videoIndex = 0;
  #audioIndex = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly media: SimMedia,
    private readonly video: TrackSetup,
    private readonly audio: TrackSetup | undefined,
    private readonly sink: MediaSink,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer) return;
    this.#start = performance.now();
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #videoDue(index: number): number {
    return (index * 1000) / this.media.fps;
  }

  #audioDue(index: number): number {
    return (index * AAC_SAMPLES_PER_FRAME * 1000) / this.media.audio!.sampleRate;
  }

  readonly #tick = (): void => {
    const elapsed = performance.now() - this.#start;
    while (this.#videoDue(this.#videoIndex) <= elapsed) this.#sendVideo(this.#videoIndex++);
    let next = this.#videoDue(this.#videoIndex);
    if (this.audio) {
      while (this.#audioDue(this.#audioIndex) <= elapsed) this.#sendAudio(this.#audioIndex++);
      next = Math.min(next, this.#audioDue(this.#audioIndex));
    }
    this.#timer = setTimeout(this.#tick, Math.max(0, next - (performance.now() - this.#start)));
  };

  #sendVideo(index: number): void {
    const { codec } = this.media;
    const unit = this.media.videoFrame(index);
    const payloads = unit.nals.flatMap((nal) => packetizeNal(codec, nal));
    const ticks = Math.round((index * VIDEO_CLOCK_RATE) / this.media.fps);
    this.#send(this.video, this.video.packetizer.packets(payloads, ticks, true), this.media.stampPayload);
  }

  #sendAudio(index: number): void {
    const payload = packetizeAac(this.media.audioFrame(index));
    const audio = this.audio!;
    this.#send(audio, audio.packetizer.packets([payload], index * AAC_SAMPLES_PER_FRAME, true), false);
  }

  #send(track: TrackSetup, packets: Buffer[], stamp: boolean): void {
    if (!this.sink.ready()) {
      this.sink.dropped();
      return;
    }
    const chunks: Buffer[] = [];
    for (const packet of packets) {
      if (stamp && packet.length >= 12 + STAMP_OFFSET + 8) packet.writeBigUInt64BE(process.hrtime.bigint(), 12 + STAMP_OFFSET);
      chunks.push(frameHeader(track.channel, packet.length), packet);
    }
    this.sink.write(chunks);
  }
}
