// Keeps one track's RTP numbering continuous for viewers when the upstream session is replaced
// (the base station dropped it and the hub reconnected): a new session starts with a new SSRC,
// sequence and timestamp, which players take for a broken stream. Packets are rewritten in place
// (a few header bytes of a buffer we own), never copied.

import { performance } from 'node:perf_hooks';

const RTCP_SENDER_REPORT = 200;

export class RtpContinuity {
  readonly #clockRate: number;
  #ssrc: number | undefined;
  #sequenceOffset = 0;
  #timestampOffset = 0;
  #anchored = false;
  #lastSequence = 0;
  #lastTimestamp = 0;
  #lastAt = 0;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** The next packets come from a new upstream session: map its first packet onto our timeline. */
  newSession(): void {
    this.#anchored = false;
  }

  /** Rewrites an RTP packet's sequence, timestamp and SSRC onto the viewers' timeline. */
  rtp(packet: Buffer): void {
    if (packet.length < 12) return;
    const sequence = packet.readUInt16BE(2);
    const timestamp = packet.readUInt32BE(4);
    const now = performance.now();
    if (this.#ssrc === undefined) {
      this.#ssrc = packet.readUInt32BE(8);
    } else if (!this.#anchored) {
      // Continue right after the last packet, its timestamp advanced by the wall-clock gap.
      const gap = Math.round(((now - this.#lastAt) * this.#clockRate) / 1000);
      this.#sequenceOffset = (this.#lastSequence + 1 - sequence) & 0xffff;
      this.#timestampOffset = (this.#lastTimestamp + gap - timestamp) >>> 0;
    }
    this.#anchored = true;
    if (this.#sequenceOffset !== 0) packet.writeUInt16BE((sequence + this.#sequenceOffset) & 0xffff, 2);
    if (this.#timestampOffset !== 0) packet.writeUInt32BE((timestamp + this.#timestampOffset) >>> 0, 4);
    if (packet.readUInt32BE(8) !== this.#ssrc) packet.writeUInt32BE(this.#ssrc, 8);
    this.#lastSequence = (sequence + this.#sequenceOffset) & 0xffff;
    this.#lastTimestamp = (timestamp + this.#timestampOffset) >>> 0;
    this.#lastAt = now;
  }

  /** Rewrites a sender report the same way; false when it cannot be placed yet (drop it). */
  rtcp(packet: Buffer): boolean {
    if (!this.#anchored || this.#ssrc === undefined) return false;
    if (packet.length >= 20 && packet[1] === RTCP_SENDER_REPORT) {
      if (packet.readUInt32BE(4) !== this.#ssrc) packet.writeUInt32BE(this.#ssrc, 4);
      if (this.#timestampOffset !== 0) packet.writeUInt32BE((packet.readUInt32BE(16) + this.#timestampOffset) >>> 0, 16);
    }
    return true;
  }
}
