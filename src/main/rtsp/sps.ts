// The picture size and codec string a sequence parameter set declares: H.264 (ITU-T H.264
// §7.3.2.1.1) and H.265 (ITU-T H.265 §7.3.2.2). Only the fields up to the size are read; everything
// after them is left alone. The live view's muxer needs both; `doctor` shows the size.

import type { VideoCodecName } from './keyframe.js';

export interface VideoFormat {
  width: number;
  height: number;
  /** RFC 6381 codec string, e.g. `avc1.64001f` or `hvc1.1.6.L93.B0`. */
  codec: string;
}

/** Reads bits MSB first from a NAL unit's payload, emulation-prevention bytes removed. */
class BitReader {
  #bytes: Buffer;
  #bit = 0;

  constructor(nal: Buffer) {
    this.#bytes = unescape(nal);
  }

  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.#bytes[this.#bit >> 3];
      if (byte === undefined) throw new RangeError('parameter set ends early');
      value = value * 2 + ((byte >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }

  skip(count: number): void {
    this.#bit += count;
  }

  /** Unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new RangeError('Exp-Golomb code too long');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** Drops the 0x03 of every 00 00 03 (emulation prevention). */
function unescape(nal: Buffer): Buffer {
  const out = Buffer.alloc(nal.length);
  let length = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[length++] = byte;
  }
  return out.subarray(0, length);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Size and codec string of an H.264 SPS NAL unit (header byte included). */
export function h264Format(sps: Buffer): VideoFormat {
  const r = new BitReader(sps);
  r.skip(8);
  const profile = r.u(8);
  r.skip(8); // constraint flags
  r.skip(8); // level
  r.ue(); // seq_parameter_set_id
  let chroma = 1;
  let separatePlanes = 0;
  if (HIGH_PROFILES.has(profile)) {
    chroma = r.ue();
    if (chroma === 3) separatePlanes = r.u(1);
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.u(1)) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (r.u(1)) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.skip(1);
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.skip(1);
  r.skip(1); // direct_8x8_inference_flag
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (r.u(1)) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const arrayType = separatePlanes ? 0 : chroma;
  const cropX = arrayType === 0 ? 1 : chroma === 3 ? 1 : 2;
  const cropY = (arrayType === 0 ? 1 : chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return {
    width: widthMbs * 16 - (left + right) * cropX,
    height: (2 - frameMbsOnly) * heightMapUnits * 16 - (top + bottom) * cropY,
    codec: `avc1.${sps.subarray(1, 4).toString('hex')}`,
  };
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Size and codec string of an H.265 SPS NAL unit (2-byte header included). */
export function h265Format(sps: Buffer): VideoFormat {
  const r = new BitReader(sps);
  r.skip(16);
  r.skip(4); // sps_video_parameter_set_id
  const subLayers = r.u(3);
  r.skip(1);
  // profile_tier_level(1, subLayers): the general part names the codec string.
  const profileSpace = r.u(2);
  const tier = r.u(1);
  const profile = r.u(5);
  const compatibility = r.u(32);
  const constraints: number[] = [];
  for (let i = 0; i < 6; i++) constraints.push(r.u(8));
  const level = r.u(8);
  const present: [number, number][] = [];
  for (let i = 0; i < subLayers; i++) present.push([r.u(1), r.u(1)]);
  if (subLayers > 0) r.skip(2 * (8 - subLayers));
  for (const [profilePresent, levelPresent] of present) {
    if (profilePresent) r.skip(88);
    if (levelPresent) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chroma = r.ue();
  if (chroma === 3) r.skip(1);
  let width = r.ue();
  let height = r.ue();
  if (r.u(1)) {
    const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= (chroma === 1 || chroma === 2 ? 2 : 1) * (left + right);
    height -= (chroma === 1 ? 2 : 1) * (top + bottom);
  }
  // ISO/IEC 14496-15 E.3: compatibility flags bit-reversed, trailing zero constraint bytes dropped.
  let reversed = 0;
  for (let i = 0; i < 32; i++) reversed = reversed * 2 + Math.floor(compatibility / 2 ** i) % 2;
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const parts = [
    'hvc1',
    `${['', 'A', 'B', 'C'][profileSpace]}${profile}`,
    reversed.toString(16),
    `${tier ? 'H' : 'L'}${level}`,
    ...constraints.map((c) => c.toString(16).toUpperCase()),
  ];
  return { width, height, codec: parts.join('.') };
}

export type PictureSize = Pick<VideoFormat, 'width' | 'height'>;

/** Whether a NAL unit (with its header) is an SPS. */
export function isSps(codec: VideoCodecName, nal: Buffer): boolean {
  if (nal.length < 2) return false;
  return codec === 'h264' ? (nal[0]! & 0x1f) === 7 : ((nal[0]! >> 1) & 0x3f) === 33;
}

/** The size from an SPS NAL unit (with its NAL header); undefined when it is not one or is cut short. */
export function pictureSizeOf(codec: VideoCodecName, nal: Buffer): PictureSize | undefined {
  if (!isSps(codec, nal)) return undefined;
  try {
    const { width, height } = codec === 'h264' ? h264Format(nal) : h265Format(nal);
    return { width, height };
  } catch {
    return undefined;
  }
}
