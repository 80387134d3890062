// What a camera's three streams look like to a user and to the ONVIF profiles: their URLs, codec,
// size, and, for a transcoded one, how its ffmpeg is doing. Built from the camera's record, the
// settings and the running endpoint's figures, for AppState.

import type { VideoCodec } from '../../shared/api.js';
import { CAMERA_STREAM_KINDS, STREAM_PATH_SUFFIX, cameraStreamPath, subStreamSize, type CameraStreamKind, type CameraStreamView } from '../../shared/streams.js';
import type { PathRuntime } from '../stream/manager.js';
import { infoOfSdp } from '../stream/source.js';
import { cameraPictureSize } from './command.js';


export interface StreamViewsInput {
  deviceId: string;
  codec: VideoCodec;
  /** The native stream's URL as the state shows it (username, no password). */
  url: string;
  /** The camera's picture size, when it has been seen streaming. */
  size: { width: number; height: number } | undefined;
  sub: { width: number; fps: number };
  /** The running endpoint's figures per path, when it runs. */
  runtime?: (kind: CameraStreamKind) => PathRuntime | undefined;
}

/** Whether a path of a camera streaming `codec` is made by ffmpeg (else it is the camera's stream as is). */
export function isTranscoded(kind: CameraStreamKind, codec: VideoCodec): boolean {
  return kind === 'sub' || (kind === 'h264' && codec !== 'avc');
}

export function cameraStreamViews(input: StreamViewsInput): CameraStreamView[] {
  return CAMERA_STREAM_KINDS.map((kind) => {
    const transcoded = isTranscoded(kind, input.codec);
    const runtime = input.runtime?.(kind);
    const size = kind === 'sub' ? subStreamSize(input.sub.width, input.size) : input.size;
    return {
      kind,
      url: `${input.url}${STREAM_PATH_SUFFIX[kind]}`,
      path: cameraStreamPath(input.deviceId, kind),
      codec: kind === 'native' && input.codec === 'hevc' ? 'h265' : 'h264',
      source: transcoded ? 'transcoded' : 'camera',
      ...(size ? { width: size.width, height: size.height } : {}),
      ...(kind === 'sub' ? { fps: input.sub.fps } : {}),
      viewers: runtime?.viewers ?? 0,
      ...(transcoded ? { transcoder: runtime?.transcoder ?? 'idle' } : {}),
      ...(runtime?.error !== undefined ? { error: runtime.error } : {}),
    };
  });
}

const sizes = new Map<string, { width: number; height: number } | undefined>();

/** The picture size in a stream's description (its SPS), remembered per description: the state asks often. */
export function pictureSizeOfSdp(sdpText: string | undefined): { width: number; height: number } | undefined {
  if (sdpText === undefined) return undefined;
  if (!sizes.has(sdpText)) {
    let size: { width: number; height: number } | undefined;
    try {
      size = cameraPictureSize(infoOfSdp(sdpText));
    } catch {
      size = undefined;
    }
    if (sizes.size > 64) sizes.clear();
    sizes.set(sdpText, size);
  }
  return sizes.get(sdpText);
}
