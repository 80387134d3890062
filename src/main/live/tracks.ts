// What the live view needs to know of a camera's stream, from the base station's SDP: the video
// codec and its parameter sets, and the AAC audio's configuration (RFC 3640 fmtp).

import { fmtpOf, h264ParameterSets, h265ParameterSets, parseSdp, rtpmapOf } from '../rtsp/sdp.js';
import type { VideoCodecName } from '../rtsp/keyframe.js';
import type { StreamInfo } from '../stream/hub.js';
import type { AacFormat } from './depacketize.js';

export interface LiveVideoTrack {
  index: number;
  codec: VideoCodecName;
  clockRate: number;
  /** VPS/SPS/PPS announced in the SDP, put before a keyframe that arrives without them. */
  parameterSets: Buffer[];
}

export interface LiveAudioTrack extends AacFormat {
  index: number;
  sampleRate: number;
  channels: number;
  /** AudioSpecificConfig (ISO/IEC 14496-3), from the fmtp `config`. */
  config: Buffer;
}

export interface LiveTracks {
  video: LiveVideoTrack;
  audio?: LiveAudioTrack;
}

/** The tracks a live view can play, or undefined when the stream has no H.264/H.265 video. */
export function liveTracksOf(info: StreamInfo): LiveTracks | undefined {
  const sdp = parseSdp(info.sdpText);
  const videoTrack = info.tracks.find((t) => t.codec !== undefined);
  const videoMedia = videoTrack && sdp.media[videoTrack.index];
  if (!videoTrack?.codec || !videoMedia) return undefined;
  const sets = videoTrack.codec === 'h264' ? h264ParameterSets(videoMedia) : Object.values(h265ParameterSets(videoMedia)).flat();
  const tracks: LiveTracks = {
    video: { index: videoTrack.index, codec: videoTrack.codec, clockRate: videoTrack.clockRate, parameterSets: sets },
  };
  for (const track of info.tracks) {
    const media = sdp.media[track.index];
    const rtpmap = media && rtpmapOf(media);
    if (!media || rtpmap?.encoding.toUpperCase() !== 'MPEG4-GENERIC') continue;
    const fmtp = fmtpOf(media);
    const config = fmtp.get('config');
    const sizeLength = Number(fmtp.get('sizelength'));
    if (!config || !/^[0-9a-f]+$/i.test(config) || !(sizeLength > 0)) continue;
    tracks.audio = {
      index: track.index,
      sampleRate: rtpmap.clockRate,
      channels: rtpmap.channels ?? 1,
      config: Buffer.from(config, 'hex'),
      sizeLength,
      indexLength: Number(fmtp.get('indexlength') ?? 0),
      indexDeltaLength: Number(fmtp.get('indexdeltalength') ?? 0),
    };
    break;
  }
  return tracks;
}
