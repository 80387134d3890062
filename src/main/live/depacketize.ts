// RTP payloads back into what a muxer takes: H.264 (RFC 6184: single NAL unit, STAP-A, FU-A) and
// H.265 (RFC 7798: single NAL unit, AP, FU) into access units of NAL units, and AAC (RFC 3640
// AAC-hbr / AAC-lbr, as Arlo and the simulator send it) into raw AAC frames. A lost packet spoils
// the picture it belonged to, and every picture after it until the next keyframe (they refer to
// it): those are dropped rather than handed to a decoder that would smear them.

import type { VideoCodecName } from '../rtsp/keyframe.js';
import { parseRtpHeader } from '../rtsp/rtp.js';

export interface AccessUnit {
  /** NAL units, each with its header, without start codes. */
  nals: Buffer[];
  /** RTP timestamp (90 kHz, wrapping). */
  timestamp: number;
  keyframe: boolean;
}

const H264 = { STAP_A: 24, FU_A: 28, IDR: 5, SPS: 7 };
const H265 = { AP: 48, FU: 49, IRAP_FIRST: 16, IRAP_LAST: 21, SPS: 33 };

export function nalType(codec: VideoCodecName, nal: Buffer): number {
  return codec === 'h264' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
}

export function isSps(codec: VideoCodecName, nal: Buffer): boolean {
  return nalType(codec, nal) === (codec === 'h264' ? H264.SPS : H265.SPS);
}

function isKeyNal(codec: VideoCodecName, nal: Buffer): boolean {
  const type = nalType(codec, nal);
  return codec === 'h264' ? type === H264.IDR : type >= H265.IRAP_FIRST && type <= H265.IRAP_LAST;
}

export class VideoDepacketizer {
  readonly #codec: VideoCodecName;
  #nals: Buffer[] = [];
  #timestamp: number | undefined;
  /** Fragments of the NAL unit being reassembled from FU packets. */
  #fragments: Buffer[] | undefined;
  #lastSequence: number | undefined;
  /** Something of the current picture was lost. */
  #damaged = false;
  /** A picture was lost since the last keyframe: drop until the next one. */
  #waitForKeyframe = true;

  constructor(codec: VideoCodecName) {
    this.#codec = codec;
  }

  /** Takes one RTP packet; returns the access units it completes (usually zero or one). */
  push(packet: Buffer): AccessUnit[] {
    const header = parseRtpHeader(packet);
    if (!header) return [];
    const done: AccessUnit[] = [];
    if (this.#lastSequence !== undefined && header.sequence !== ((this.#lastSequence + 1) & 0xffff)) {
      this.#fragments = undefined;
      this.#damaged = true;
    }
    this.#lastSequence = header.sequence;
    if (this.#timestamp !== undefined && header.timestamp !== this.#timestamp) this.#finish(done);
    this.#timestamp = header.timestamp;
    this.#payload(packet.subarray(header.payloadOffset, header.payloadEnd));
    if (header.marker) this.#finish(done);
    return done;
  }

  #payload(payload: Buffer): void {
    if (payload.length < 2) return;
    const h264 = this.#codec === 'h264';
    const type = nalType(this.#codec, payload);
    if (type === (h264 ? H264.STAP_A : H265.AP)) {
      for (let at = h264 ? 1 : 2; at + 2 <= payload.length;) {
        const size = payload.readUInt16BE(at);
        at += 2;
        if (size === 0 || at + size > payload.length) break;
        this.#nals.push(Buffer.from(payload.subarray(at, at + size)));
        at += size;
      }
    } else if (type === (h264 ? H264.FU_A : H265.FU)) {
      const fuHeader = payload[h264 ? 1 : 2];
      if (fuHeader === undefined) return;
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      const body = payload.subarray(h264 ? 2 : 3);
      if (start) {
        const nalHeader = h264
          ? Buffer.from([(payload[0]! & 0xe0) | (fuHeader & 0x1f)])
          : Buffer.from([(payload[0]! & 0x81) | ((fuHeader & 0x3f) << 1), payload[1]!]);
        this.#fragments = [nalHeader, Buffer.from(body)];
      } else if (this.#fragments) {
        this.#fragments.push(Buffer.from(body));
      } else {
        this.#damaged = true; // a middle fragment whose start was lost
        return;
      }
      if (end && this.#fragments) {
        this.#nals.push(Buffer.concat(this.#fragments));
        this.#fragments = undefined;
      }
    } else {
      this.#nals.push(Buffer.from(payload));
    }
  }

  #finish(done: AccessUnit[]): void {
    const nals = this.#nals;
    const timestamp = this.#timestamp;
    const damaged = this.#damaged || this.#fragments !== undefined;
    this.#nals = [];
    this.#fragments = undefined;
    this.#damaged = false;
    if (nals.length === 0 || timestamp === undefined) return;
    const keyframe = nals.some((nal) => isKeyNal(this.#codec, nal));
    if (damaged) {
      this.#waitForKeyframe = true;
      return;
    }
    if (keyframe) this.#waitForKeyframe = false;
    if (this.#waitForKeyframe) return;
    done.push({ nals, timestamp, keyframe });
  }
}

export interface AacFormat {
  /** Bits of an AU-header's size and index fields (`sizelength`, `indexlength`). */
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
}

export interface AacFrame {
  frame: Buffer;
  /** RTP timestamp of this frame (clock = sample rate). */
  timestamp: number;
}

/** RFC 3640 §3.2: AU-headers-length, the AU-headers, then the AUs back to back. */
export function depacketizeAac(packet: Buffer, format: AacFormat, samplesPerFrame = 1024): AacFrame[] {
  const header = parseRtpHeader(packet);
  if (!header || header.payloadEnd - header.payloadOffset < 2) return [];
  const payload = packet.subarray(header.payloadOffset, header.payloadEnd);
  const headerBits = payload.readUInt16BE(0);
  const headerBytes = Math.ceil(headerBits / 8);
  if (2 + headerBytes > payload.length) return [];
  const frames: AacFrame[] = [];
  let bit = 16;
  let at = 2 + headerBytes;
  const read = (count: number): number => {
    let value = 0;
    for (let i = 0; i < count; i++, bit++) value = value * 2 + ((payload[bit >> 3]! >> (7 - (bit & 7))) & 1);
    return value;
  };
  for (let index = 0; bit + format.sizeLength <= 16 + headerBits; index++) {
    const size = read(format.sizeLength);
    read(index === 0 ? format.indexLength : format.indexDeltaLength);
    if (size === 0 || at + size > payload.length) break; // an AU fragmented over packets: not sent by Arlo
    frames.push({ frame: Buffer.from(payload.subarray(at, at + size)), timestamp: (header.timestamp + index * samplesPerFrame) >>> 0 });
    at += size;
  }
  return frames;
}
