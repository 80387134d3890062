// Where a decodable picture can start in an RTP video stream: the packets a new viewer may begin
// with. Works on the RTP payload (after the RTP header), without copying or depacketizing, and
// without a view of it: the hub asks this of every video packet, so it reads the payload where it
// lies in the packet (`start`, `end`).
//
// H.264 (RFC 6184): an IDR slice (5) or an SPS (7), alone, inside a STAP-A (24), or as the first
// fragment of an FU-A (28). H.265 (RFC 7798): an IRAP picture (16..21: BLA, IDR, CRA) or a VPS
// (32) / SPS (33), alone, inside an AP (48), or as the first fragment of an FU (49).
// A parameter set counts because encoders send it right before the IRAP picture it describes.

export type VideoCodecName = 'h264' | 'h265';

export function isKeyframeStart(codec: VideoCodecName, bytes: Buffer, start = 0, end = bytes.length): boolean {
  return codec === 'h264' ? h264KeyframeStart(bytes, start, end) : h265KeyframeStart(bytes, start, end);
}

const H264_IDR = 5;
const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

function h264StartsPicture(type: number): boolean {
  return type === H264_IDR || type === H264_SPS;
}

function h264KeyframeStart(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < 1) return false;
  const type = bytes[start]! & 0x1f;
  if (type === H264_STAP_A) {
    // 1-byte STAP-A header, then units of 16-bit size + NAL unit.
    return someAggregatedUnit(bytes, start + 1, end, (first) => h264StartsPicture(first & 0x1f));
  }
  if (type === H264_FU_A) {
    if (end - start < 2) return false;
    const fuHeader = bytes[start + 1]!;
    return (fuHeader & 0x80) !== 0 && h264StartsPicture(fuHeader & 0x1f);
  }
  return h264StartsPicture(type);
}

const H265_VPS = 32;
const H265_SPS = 33;
const H265_AP = 48;
const H265_FU = 49;

function h265StartsPicture(type: number): boolean {
  return (type >= 16 && type <= 21) || type === H265_VPS || type === H265_SPS;
}

function h265Type(firstByte: number): number {
  return (firstByte >> 1) & 0x3f;
}

function h265KeyframeStart(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < 2) return false;
  const type = h265Type(bytes[start]!);
  if (type === H265_AP) {
    // 2-byte payload header, then units of 16-bit size + NAL unit (no DONL: sprop-max-don-diff is 0).
    return someAggregatedUnit(bytes, start + 2, end, (first) => h265StartsPicture(h265Type(first)));
  }
  if (type === H265_FU) {
    if (end - start < 3) return false;
    const fuHeader = bytes[start + 2]!;
    return (fuHeader & 0x80) !== 0 && h265StartsPicture(fuHeader & 0x3f);
  }
  return h265StartsPicture(type);
}

/**
 * Whether a NAL unit of an aggregation packet (its units from `at` to `end`) passes the test, given
 * the unit's first byte; stops at the first size that overruns.
 */
function someAggregatedUnit(bytes: Buffer, at: number, end: number, test: (firstByte: number) => boolean): boolean {
  while (at + 2 < end) {
    const size = bytes.readUInt16BE(at);
    if (size === 0 || at + 2 + size > end) return false;
    if (test(bytes[at + 2]!)) return true;
    at += 2 + size;
  }
  return false;
}

/**
 * The NAL unit type an RTP video payload carries: the unit's own, or for a fragment (FU-A, FU) the
 * fragmented unit's; an aggregation packet gives its own type (STAP-A 24, AP 48). Undefined when empty.
 */
export function nalTypeOf(codec: VideoCodecName, payload: Buffer): number | undefined {
  if (codec === 'h264') {
    if (payload.length < 1) return undefined;
    const type = payload[0]! & 0x1f;
    return type === H264_FU_A && payload.length >= 2 ? payload[1]! & 0x1f : type;
  }
  if (payload.length < 2) return undefined;
  const type = h265Type(payload[0]!);
  return type === H265_FU && payload.length >= 3 ? payload[2]! & 0x3f : type;
}
