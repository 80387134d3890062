// Sends one session's media in real time as interleaved RTP: frame i is due at start + i/fps on an
// absolute clock (timers only wake us; lateness never accumulates), looping the clip with RTP
// timestamps and sequence numbers that run on. A frame whose socket is still backed up is dropped
// whole and counted, never queued without bound. RTCP sender reports (RFC 3550 §6.4.1) go on each
// track's odd channel when asked for.

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
  /** Interleaved channel of RTP; RTCP goes on channel + 1. */
  channel: number;
  packetizer: RtpPacketizer;
}

export interface PumpOptions {
  /** Send a sender report per track this often (ms); none when undefined. */
  senderReportMs?: number | undefined;
}

const RTCP_SENDER_REPORT = 200;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;

const AAC_SAMPLES_PER_FRAME = 1024;

export class MediaPump {
  #start = 0;
  #videoIndex = 0;
  #audioIndex = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextReport = 0;
  /** Per track (by RTP channel): packets and payload octets sent, for sender reports. */
  readonly #sent = new Map<number, { packets: number; octets: number }>();

  constructor(
    private readonly media: SimMedia,
    private readonly video: TrackSetup,
    private readonly audio: TrackSetup | undefined,
    private readonly sink: MediaSink,
    private readonly options: PumpOptions = {},
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
    const every = this.options.senderReportMs;
    if (every !== undefined && elapsed >= this.#nextReport && this.#videoIndex > 0) {
      this.#nextReport = elapsed + every;
      this.#senderReport(this.video, (elapsed * VIDEO_CLOCK_RATE) / 1000);
      if (this.audio && this.media.audio) this.#senderReport(this.audio, (elapsed * this.media.audio.sampleRate) / 1000);
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
    const sent = this.#sent.get(track.channel) ?? { packets: 0, octets: 0 };
    sent.packets += packets.length;
    for (const packet of packets) sent.octets += packet.length - 12;
    this.#sent.set(track.channel, sent);
    this.sink.write(chunks);
  }

  /** RFC 3550 §6.4.1: the wall clock (NTP) and the RTP time it corresponds to, with the counts so far. */
  #senderReport(track: TrackSetup, ticks: number): void {
    const report = Buffer.alloc(28);
    report[0] = 0x80;
    report[1] = RTCP_SENDER_REPORT;
    report.writeUInt16BE(report.length / 4 - 1, 2);
    report.writeUInt32BE(track.packetizer.ssrc, 4);
    const now = Date.now();
    report.writeUInt32BE((Math.floor(now / 1000) + NTP_UNIX_OFFSET) >>> 0, 8);
    report.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32) >>> 0, 12);
    report.writeUInt32BE((track.packetizer.initialTimestamp + Math.round(ticks)) >>> 0, 16);
    const sent = this.#sent.get(track.channel) ?? { packets: 0, octets: 0 };
    report.writeUInt32BE(sent.packets >>> 0, 20);
    report.writeUInt32BE(sent.octets >>> 0, 24);
    this.sink.write([frameHeader(track.channel + 1, report.length), report]);
  }
}
