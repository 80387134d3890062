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

/** The header of an RTP packet, or undefined when it is not version 2 or its lengths do not add up. */
export function parseRtpHeader(packet: Buffer): RtpHeader | undefined {
  if (packet.length < FIXED_HEADER) return undefined;
  const first = packet[0]!;
  const version = first >> 6;
  if (version !== 2) return undefined;
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;

  let payloadOffset = FIXED_HEADER + 4 * csrcCount;
  if (extension) {
    if (packet.length < payloadOffset + 4) return undefined;
    payloadOffset += 4 + 4 * packet.readUInt16BE(payloadOffset + 2);
  }
  let payloadEnd = packet.length;
  if (padding) {
    const count = packet[packet.length - 1]!;
    if (count === 0) return undefined;
    payloadEnd -= count;
  }
  if (payloadOffset > payloadEnd) return undefined;

  return {
    version,
    padding,
    marker: (packet[1]! & 0x80) !== 0,
    payloadType: packet[1]! & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payloadOffset,
    payloadEnd,
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
