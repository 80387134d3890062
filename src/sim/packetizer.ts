// RTP payload formats the simulated base station sends: H.264 (RFC 6184: single NAL unit and FU-A),
// H.265 (RFC 7798: single NAL unit and FU) and AAC (RFC 3640 AAC-hbr: one AU per packet). A
// `RtpPacketizer` keeps one track's sequence number, SSRC and timestamp origin.

import { randomBytes } from 'node:crypto';
import { writeRtpHeader } from '../main/rtsp/rtp.js';
import type { VideoCodec } from '../shared/api.js';

/** Largest RTP payload we send: a typical camera's, fitting an Ethernet MTU. */
export const MAX_RTP_PAYLOAD = 1400;

const H264_FU_A = 28;
const H265_FU = 49;

/** The RTP payloads carrying one NAL unit: the unit itself if it fits, else fragments. */
export function packetizeNal(codec: VideoCodec, nal: Buffer, maxPayload = MAX_RTP_PAYLOAD): Buffer[] {
  if (nal.length <= maxPayload) return [nal];
  const headerLength = codec === 'avc' ? 1 : 2;
  const type = codec === 'avc' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
  // RFC 6184 §5.8: FU indicator keeps F and NRI. RFC 7798 §4.4.3: payload header keeps F, LayerId, TID.
  const prefix = codec === 'avc'
    ? [(nal[0]! & 0xe0) | H264_FU_A]
    : [(nal[0]! & 0x81) | (H265_FU << 1), nal[1]!];
  const chunk = maxPayload - prefix.length - 1;
  const payloads: Buffer[] = [];
  for (let at = headerLength; at < nal.length; at += chunk) {
    const end = Math.min(at + chunk, nal.length);
    const fuHeader = (at === headerLength ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    payloads.push(Buffer.concat([Buffer.from([...prefix, fuHeader]), nal.subarray(at, end)]));
  }
  return payloads;
}

/** RFC 3640 AAC-hbr: AU-headers-length (16 bits) then one AU-header (13-bit size, 3-bit index 0). */
export function packetizeAac(frame: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(16, 0);
  header.writeUInt16BE(frame.length << 3, 2);
  return Buffer.concat([header, frame]);
}

export class RtpPacketizer {
  readonly ssrc = randomBytes(4).readUInt32BE(0);
  /** Random initial values, as RFC 3550 §5.1 asks; RTP-Info reports them. */
  readonly initialSequence = randomBytes(2).readUInt16BE(0);
  readonly initialTimestamp = randomBytes(4).readUInt32BE(0);
  #sequence = this.initialSequence;

  constructor(readonly payloadType: number) {}

  get nextSequence(): number {
    return this.#sequence;
  }

  /** Full RTP packets for payloads sharing `elapsed` (clock ticks since the stream began); marker on the last. */
  packets(payloads: Buffer[], elapsed: number, markLast: boolean): Buffer[] {
    const timestamp = (this.initialTimestamp + elapsed) >>> 0;
    return payloads.map((payload, i) => {
      const header = writeRtpHeader({
        payloadType: this.payloadType,
        sequence: this.#sequence,
        timestamp,
        ssrc: this.ssrc,
        marker: markLast && i === payloads.length - 1,
      });
      this.#sequence = (this.#sequence + 1) & 0xffff;
      return Buffer.concat([header, payload]);
    });
  }
}
