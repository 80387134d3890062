// RTP fixed header (RFC 3550 §5.1): just enough to find the payload of a packet and to tell
// packets apart. The packet is never copied: offsets point into it.

export interface RtpHeader {
  version: number;
  /** Whether the packet ends in padding; `payloadEnd` already excludes it. */
  padding: boolean;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** First payload byte: after the fixed header, the CSRC list and any header extension. */
  payloadOffset: number;
  /** One past the last payload byte: before any padding. */
  payloadEnd: number;
}

const FIXED_HEADER = 12;

/**
 * Where an RTP packet's payload begins, after the CSRC list and any header extension; -1 when it is
 * not version 2 or its lengths do not add up. A number, not an object: the hub asks it per packet.
 */
export function rtpPayloadOffset(packet: Buffer): number {
  if (packet.length < FIXED_HEADER) return -1;
  const first = packet[0]!;
  if (first >> 6 !== 2) return -1;
  let offset = FIXED_HEADER + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (packet.length < offset + 4) return -1;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  return offset > rtpPayloadEnd(packet) ? -1 : offset;
}

/** One past an RTP packet's last payload byte (before any padding); -1 when the padding is impossible. */
export function rtpPayloadEnd(packet: Buffer): number {
  if ((packet[0]! & 0x20) === 0) return packet.length;
  const count = packet[packet.length - 1]!;
  return count === 0 ? -1 : packet.length - count;
}

/** The header of an RTP packet, or undefined when it is not version 2 or its lengths do not add up. */
export function parseRtpHeader(packet: Buffer): RtpHeader | undefined {
  const payloadOffset = rtpPayloadOffset(packet);
  if (payloadOffset < 0) return undefined;
  const first = packet[0]!;
  return {
    version: 2,
    padding: (first & 0x20) !== 0,
    marker: (packet[1]! & 0x80) !== 0,
    payloadType: packet[1]! & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payloadOffset,
    payloadEnd: rtpPayloadEnd(packet),
  };
}

export interface RtpHeaderFields {
  marker?: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

/** A 12-byte version-2 header with no padding, CSRCs or extension; send it followed by the payload. */
export function writeRtpHeader(fields: RtpHeaderFields): Buffer {
  const header = Buffer.alloc(FIXED_HEADER);
  header[0] = 0x80;
  header[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  header.writeUInt16BE(fields.sequence & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  return header;
}
