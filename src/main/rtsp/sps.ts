// The picture size a sequence parameter set declares (H.264 §7.3.2.1.1, H.265 §7.3.2.2), read as
// far as the size and no further. `doctor` shows it; nothing in the stream path depends on it.

import type { VideoCodecName } from './keyframe.js';

export interface PictureSize {
  width: number;
  height: number;
}

/** The size from an SPS NAL unit (with its NAL header); undefined when it is not one or is cut short. */
export function pictureSizeOf(codec: VideoCodecName, nal: Buffer): PictureSize | undefined {
  try {
    return codec === 'h264' ? h264Size(nal) : h265Size(nal);
  } catch {
    return undefined;
  }
}

/** Whether a NAL unit (with its header) is an SPS. */
export function isSps(codec: VideoCodecName, nal: Buffer): boolean {
  if (nal.length < 2) return false;
  return codec === 'h264' ? (nal[0]! & 0x1f) === 7 : ((nal[0]! >> 1) & 0x3f) === 33;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function h264Size(nal: Buffer): PictureSize | undefined {
  if (!isSps('h264', nal)) return undefined;
  const bits = new BitReader(unescape(nal.subarray(1)));
  const profile = bits.u(8);
  bits.u(16); // constraint flags, level
  bits.ue(); // seq_parameter_set_id
  let chroma = 1;
  let separatePlanes = false;
  if (HIGH_PROFILES.has(profile)) {
    chroma = bits.ue();
    if (chroma === 3) separatePlanes = bits.u(1) === 1;
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.u(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.u(1) === 1) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (bits.u(1) === 1) skipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.u(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    for (let i = 0; i < cycle; i++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = bits.ue() + 1;
  const heightUnits = bits.ue() + 1;
  const frameMbsOnly = bits.u(1);
  if (frameMbsOnly === 0) bits.u(1);
  bits.u(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (bits.u(1) === 1) crop = [bits.ue(), bits.ue(), bits.ue(), bits.ue()];
  const arrayType = separatePlanes ? 0 : chroma;
  const cropX = arrayType === 0 ? 1 : arrayType === 3 ? 1 : 2;
  const cropY = (arrayType === 0 ? 1 : arrayType === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return {
    width: widthMbs * 16 - (crop[0]! + crop[1]!) * cropX,
    height: (2 - frameMbsOnly) * heightUnits * 16 - (crop[2]! + crop[3]!) * cropY,
  };
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

function h265Size(nal: Buffer): PictureSize | undefined {
  if (!isSps('h265', nal)) return undefined;
  const bits = new BitReader(unescape(nal.subarray(2)));
  bits.u(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = bits.u(3);
  bits.u(1); // temporal_id_nesting
  // profile_tier_level: 88 bits of general profile, 8 of general level, then the sub-layers.
  bits.skip(96);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(bits.u(1) === 1);
    levelPresent.push(bits.u(1) === 1);
  }
  if (maxSubLayersMinus1 > 0) bits.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) bits.skip(88);
    if (levelPresent[i]) bits.skip(8);
  }
  bits.ue(); // sps_seq_parameter_set_id
  const chroma = bits.ue();
  if (chroma === 3) bits.u(1);
  let width = bits.ue();
  let height = bits.ue();
  if (bits.u(1) === 1) {
    const [left, right, top, bottom] = [bits.ue(), bits.ue(), bits.ue(), bits.ue()];
    const subWidth = chroma === 1 || chroma === 2 ? 2 : 1;
    const subHeight = chroma === 1 ? 2 : 1;
    width -= subWidth * (left + right);
    height -= subHeight * (top + bottom);
  }
  return { width, height };
}

/** The RBSP: emulation-prevention bytes (00 00 03) removed. */
function unescape(data: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of data) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

class BitReader {
  #at = 0;
  constructor(private readonly data: Buffer) {}

  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.data[this.#at >> 3];
      if (byte === undefined) throw new RangeError('SPS cut short');
      value = value * 2 + ((byte >> (7 - (this.#at & 7))) & 1);
      this.#at++;
    }
    return value;
  }

  skip(count: number): void {
    this.#at += count;
    if (this.#at > this.data.length * 8) throw new RangeError('SPS cut short');
  }

  /** Exp-Golomb, unsigned. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Exp-Golomb, signed. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
