// Reading the simulator's elementary-stream clips: Annex-B H.264/H.265 into access units (one
// picture each, with the parameter sets that precede it) and AAC ADTS into raw AAC frames.

import type { VideoCodec } from '../shared/api.js';

export interface AccessUnit {
  /** NAL units without start codes, in stream order; views into the clip. */
  nals: Buffer[];
  keyframe: boolean;
}

export interface ParameterSets {
  vps?: Buffer;
  sps: Buffer;
  pps: Buffer;
}

/** NAL units of an Annex-B byte stream (3- or 4-byte start codes), as views without the start codes. */
export function splitAnnexB(stream: Buffer): Buffer[] {
  const starts: { at: number; header: number }[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push({ at: i > 0 && stream[i - 1] === 0 ? i - 1 : i, header: i + 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => {
    const end = starts[k + 1]?.at ?? stream.length;
    let last = end;
    while (last > s.header && stream[last - 1] === 0) last--; // trailing_zero_8bits
    return stream.subarray(s.header, last);
  });
}

export function nalType(codec: VideoCodec, nal: Buffer): number {
  return codec === 'avc' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
}

function isVcl(codec: VideoCodec, type: number): boolean {
  return codec === 'avc' ? type >= 1 && type <= 5 : type < 32;
}

function isIrap(codec: VideoCodec, type: number): boolean {
  return codec === 'avc' ? type === 5 : type >= 16 && type <= 21;
}

/** Whether a VCL NAL is the first slice of its picture (first_mb_in_slice = 0 / first_slice_segment_in_pic_flag). */
function startsPicture(codec: VideoCodec, nal: Buffer): boolean {
  // H.264: first_mb_in_slice is ue(v); the value 0 is the single bit 1. H.265: a flag, first bit after the 2-byte header.
  return codec === 'avc' ? (nal[1]! & 0x80) !== 0 : (nal[2]! & 0x80) !== 0;
}

/** Groups NAL units into pictures: non-VCL units belong to the picture whose first slice follows them. */
export function accessUnits(codec: VideoCodec, nals: Buffer[]): AccessUnit[] {
  const units: AccessUnit[] = [];
  let pending: Buffer[] = [];
  let current: AccessUnit | undefined;
  for (const nal of nals) {
    if (nal.length < 3) continue;
    const type = nalType(codec, nal);
    if (!isVcl(codec, type)) {
      pending.push(nal);
      continue;
    }
    if (!current || startsPicture(codec, nal)) {
      current = { nals: [...pending], keyframe: false };
      units.push(current);
    } else {
      current.nals.push(...pending);
    }
    pending = [];
    current.nals.push(nal);
    if (isIrap(codec, type)) current.keyframe = true;
  }
  return units;
}

export class MediaFormatError extends Error {
  override readonly name = 'MediaFormatError';
}

/** The first VPS (H.265), SPS and PPS of a stream: what the SDP announces. */
export function parameterSets(codec: VideoCodec, nals: Buffer[]): ParameterSets {
  const find = (type: number) => nals.find((n) => nalType(codec, n) === type);
  const [vps, sps, pps] = codec === 'avc' ? [undefined, find(7), find(8)] : [find(32), find(33), find(34)];
  if (!sps || !pps || (codec === 'hevc' && !vps)) throw new MediaFormatError(`${codec} stream has no parameter sets`);
  return vps ? { vps, sps, pps } : { sps, pps };
}

export interface AacStream {
  sampleRate: number;
  channels: number;
  /** AudioSpecificConfig (ISO 14496-3 §1.6.2.1) as hex, for the SDP `config=`. */
  config: string;
  /** Raw AAC frames (ADTS headers removed), 1024 samples each. */
  frames: Buffer[];
}

const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAdts(stream: Buffer): AacStream {
  const frames: Buffer[] = [];
  let objectType = 0;
  let rateIndex = 0;
  let channels = 0;
  for (let at = 0; at + 7 <= stream.length;) {
    if (stream[at] !== 0xff || (stream[at + 1]! & 0xf6) !== 0xf0) throw new MediaFormatError(`no ADTS sync word at byte ${at}`);
    const protectionAbsent = (stream[at + 1]! & 0x01) === 1;
    objectType = (stream[at + 2]! >> 6) + 1;
    rateIndex = (stream[at + 2]! >> 2) & 0x0f;
    channels = ((stream[at + 2]! & 0x01) << 2) | (stream[at + 3]! >> 6);
    const length = ((stream[at + 3]! & 0x03) << 11) | (stream[at + 4]! << 3) | (stream[at + 5]! >> 5);
    const headerLength = protectionAbsent ? 7 : 9;
    if (length <= headerLength || at + length > stream.length) throw new MediaFormatError(`truncated ADTS frame at byte ${at}`);
    frames.push(stream.subarray(at + headerLength, at + length));
    at += length;
  }
  const sampleRate = ADTS_RATES[rateIndex];
  if (frames.length === 0 || sampleRate === undefined) throw new MediaFormatError('no ADTS frames');
  const config = ((objectType << 11) | (rateIndex << 7) | (channels << 3)).toString(16).padStart(4, '0');
  return { sampleRate, channels, config, frames };
}
