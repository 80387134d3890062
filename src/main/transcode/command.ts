// The ffmpeg command of one derived stream: read the camera's stream over loopback RTSP, encode
// H.264 (scaled and at a lower rate for the sub-stream), copy the audio where RTP carries it as it
// is, and publish the result back to us over RTSP (ANNOUNCE/RECORD, TCP interleaved).

import { liveTracksOf } from '../live/tracks.js';
import { h265ParameterSets, h264ParameterSets, parseSdp, rtpmapOf } from '../rtsp/sdp.js';
import { pictureSizeOf, type PictureSize } from '../rtsp/sps.js';
import type { StreamInfo } from '../stream/source.js';
import type { H264Encoder } from './encoder.js';

/** Keyframe interval of every derived stream: NVRs start a recording and HomeKit a view at one. */
export const KEYFRAME_INTERVAL_S = 1;

/** Audio codecs (RTP encoding names) ffmpeg's RTP muxer sends on as they are. */
const COPYABLE_AUDIO = new Set(['MPEG4-GENERIC', 'PCMU', 'PCMA', 'OPUS', 'G722', 'L16']);

export interface DerivedCommand {
  input: string;
  output: string;
  encoder: H264Encoder;
  /** Scale to this size and frame rate (the sub-stream); absent: the camera's size and rate. */
  scale?: { width: number; height: number; fps: number };
  /** The camera's stream, to decide whether its audio can be copied. */
  camera: StreamInfo;
}

/** The bits per second asked of an encoder for a picture of this size (about 0.1 bit per pixel at 30 fps). */
function bitrateFor(size: PictureSize | undefined, fps: number): number {
  const pixels = size ? size.width * size.height : 1920 * 1080;
  return Math.max(300_000, Math.min(8_000_000, Math.round(pixels * fps * 0.1)));
}

export function derivedFfmpegArgs(command: DerivedCommand): string[] {
  const { encoder, scale } = command;
  const filters = [
    ...(scale ? [`fps=${scale.fps}`, `scale=${scale.width}:${scale.height}`] : []),
    'format=yuv420p',
    ...(encoder.uploadFilter ? [encoder.uploadFilter] : []),
  ];
  const size = scale ?? cameraPictureSize(command.camera);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...encoder.inputArgs,
    '-rtsp_transport', 'tcp', '-i', command.input,
    '-map', '0:v:0', ...(copyableAudio(command.camera) ? ['-map', '0:a:0?', '-c:a', 'copy'] : ['-an']),
    '-vf', filters.join(','),
    '-c:v', encoder.name, ...encoder.encodeArgs(bitrateFor(size, scale?.fps ?? 15)),
    '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_S})`,
    // SPS/PPS before every keyframe too: a viewer that joined from a remembered description (whose
    // parameter sets may be another run's) decodes from the first keyframe it gets.
    '-bsf:v', 'dump_extra=freq=keyframe',
    '-f', 'rtsp', '-rtsp_transport', 'tcp', command.output,
  ];
}

function copyableAudio(camera: StreamInfo): boolean {
  const sdp = parseSdp(camera.sdpText);
  const audio = camera.tracks.find((t) => t.kind === 'audio');
  const media = audio && sdp.media[audio.index];
  const encoding = media && rtpmapOf(media)?.encoding.toUpperCase();
  return encoding !== undefined && COPYABLE_AUDIO.has(encoding);
}

/** The camera's picture size from the SPS in its description, when it has one there. */
export function cameraPictureSize(camera: StreamInfo): PictureSize | undefined {
  const tracks = liveTracksOf(camera);
  if (!tracks) return undefined;
  const media = parseSdp(camera.sdpText).media[tracks.video.index];
  if (!media) return undefined;
  const spsList = tracks.video.codec === 'h264' ? h264ParameterSets(media) : h265ParameterSets(media).sps;
  for (const sps of spsList) {
    const size = pictureSizeOf(tracks.video.codec, sps);
    if (size) return size;
  }
  return undefined;
}
