// What a simulated camera streams: the committed clips (real H.264/H.265 + AAC, looped), or a
// synthetic video stream of a chosen bitrate for benchmarks. Either way a `SimMedia` answers "frame
// number i" forever, so a session's timestamps and sequence numbers run on across loops.

import { readFile } from 'node:fs/promises';
import type { VideoCodec } from '../shared/api.js';
import { accessUnits, parameterSets, parseAdts, splitAnnexB, type AacStream, type AccessUnit, type ParameterSets } from './elementary.js';

export interface SyntheticOptions {
  /** Video bits per second. */
  bitrate: number;
  fps?: number;
  /** An IDR (with parameter sets) every this many frames; default one per second. */
  keyframeIntervalFrames?: number;
  /** Write the send time into every video RTP packet; see `STAMP_OFFSET`. */
  stampPayload?: boolean;
}

export type SourceOption = 'clip' | { synthetic: SyntheticOptions };

/**
 * With `stampPayload`, bytes [STAMP_OFFSET, STAMP_OFFSET + 8) of every video RTP payload (counted
 * after the 12-byte RTP header) hold `process.hrtime.bigint()` as an unsigned 64-bit big-endian
 * integer, taken when the simulator wrote the packet. Same process only (hrtime has no epoch).
 * The offset is past every NAL/FU header, so keyframe detection still sees real NAL types.
 */
export const STAMP_OFFSET = 8;

export interface SimMedia {
  codec: VideoCodec;
  fps: number;
  parameterSets: ParameterSets;
  audio?: Omit<AacStream, 'frames'>;
  stampPayload: boolean;
  videoFrame(index: number): AccessUnit;
  audioFrame(index: number): Buffer;
}

const CLIP_FPS = 15;
const CLIP_FILES: Record<VideoCodec, string> = { avc: 'avc-640x360-15fps.h264', hevc: 'hevc-1280x720-15fps.h265' };
const AUDIO_FILE = 'aac-16khz-mono.aac';
/** Resolves from src/sim (tsx) and from dist/sim (tsc) alike: the clips stay in src/. */
const MEDIA_DIR = new URL('../../src/sim/media/', import.meta.url);

const clipCache = new Map<string, Promise<SimMedia>>();

export function loadMedia(codec: VideoCodec, source: SourceOption = 'clip'): Promise<SimMedia> {
  if (source !== 'clip') return Promise.resolve(syntheticMedia(codec, source.synthetic));
  let media = clipCache.get(codec);
  if (!media) {
    media = loadClip(codec);
    clipCache.set(codec, media);
    media.catch(() => clipCache.delete(codec));
  }
  return media;
}

async function loadClip(codec: VideoCodec): Promise<SimMedia> {
  const [video, audio] = await Promise.all([
    readFile(new URL(CLIP_FILES[codec], MEDIA_DIR)),
    readFile(new URL(AUDIO_FILE, MEDIA_DIR)),
  ]);
  const nals = splitAnnexB(video);
  const units = accessUnits(codec, nals);
  const aac = parseAdts(audio);
  return {
    codec,
    fps: CLIP_FPS,
    parameterSets: parameterSets(codec, nals),
    audio: { sampleRate: aac.sampleRate, channels: aac.channels, config: aac.config },
    stampPayload: false,
    videoFrame: (index) => units[index % units.length]!,
    audioFrame: (index) => aac.frames[index % aac.frames.length]!,
  };
}

/**
 * Fake but well-formed NAL units (right headers, first-slice bit set, filler that never forms a
 * start code) of a constant size per frame; no audio.
 */
function syntheticMedia(codec: VideoCodec, options: SyntheticOptions): SimMedia {
  const fps = options.fps ?? 15;
  const interval = options.keyframeIntervalFrames ?? fps;
  const frameBytes = Math.max(64, Math.round(options.bitrate / 8 / fps));
  const nal = (header: number[], size: number) => {
    const unit = Buffer.alloc(size, 0x5a);
    Buffer.from(header).copy(unit);
    return unit;
  };
  const sets: ParameterSets = codec === 'avc'
    ? { sps: nal([0x67, 0x4d, 0x00, 0x1f, 0x80], 24), pps: nal([0x68, 0xee, 0x3c, 0x80], 16) }
    : { vps: nal([0x40, 0x01, 0x0c], 24), sps: nal([0x42, 0x01, 0x01], 32), pps: nal([0x44, 0x01, 0xc0], 16) };
  const sliceBytes = Math.max(32, frameBytes - (codec === 'avc' ? 40 : 72));
  const keySlice = codec === 'avc' ? nal([0x65, 0x88], sliceBytes) : nal([0x26, 0x01, 0xaf], sliceBytes);
  const deltaSlice = codec === 'avc' ? nal([0x41, 0x9a], sliceBytes) : nal([0x02, 0x01, 0xd0], sliceBytes);
  const keyframe: AccessUnit = {
    nals: [...(sets.vps ? [sets.vps] : []), sets.sps, sets.pps, keySlice],
    keyframe: true,
  };
  const delta: AccessUnit = { nals: [deltaSlice], keyframe: false };
  return {
    codec,
    fps,
    parameterSets: sets,
    stampPayload: options.stampPayload ?? false,
    videoFrame: (index) => (index % interval === 0 ? keyframe : delta),
    audioFrame: () => {
      throw new Error('synthetic media has no audio');
    },
  };
}
