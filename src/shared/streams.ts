// The streams a camera is served on, from its one base-station session: the native stream as the
// base station sends it, H.264 at the camera's size (the native stream itself when it is H.264
// already, else transcoded), and a low-resolution H.264 sub-stream for detection. The UI, /metrics
// and the ONVIF profiles read them from `CameraView.streams`; the paths are fixed here, once.
//
//   rtsp://HOST:PORT/<deviceId>        native
//   rtsp://HOST:PORT/<deviceId>/h264   H.264, camera's size
//   rtsp://HOST:PORT/<deviceId>/sub    H.264, SettingsView.subStreamWidth wide, subStreamFps

export type CameraStreamKind = 'native' | 'h264' | 'sub';

/** In the order a camera lists them. */
export const CAMERA_STREAM_KINDS = ['native', 'h264', 'sub'] as const satisfies readonly CameraStreamKind[];

/** The suffix of a derived stream's path after `/<deviceId>`; the native stream has none. */
export const STREAM_PATH_SUFFIX: Record<CameraStreamKind, string> = { native: '', h264: '/h264', sub: '/sub' };

/** A stream's path on the camera's port. */
export function cameraStreamPath(deviceId: string, kind: CameraStreamKind): string {
  return `/${encodeURIComponent(deviceId)}${STREAM_PATH_SUFFIX[kind]}`;
}

/**
 * What a transcoded stream's ffmpeg is doing: `idle` (no viewer), `starting` (ffmpeg runs, its
 * first picture not out yet; a battery camera may be waking), `running`, `restarting` (it stopped
 * or stalled while watched and starts again), `failed` (it cannot run: see `error`).
 */
export type TranscoderState = 'idle' | 'starting' | 'running' | 'restarting' | 'failed';

export interface CameraStreamView {
  kind: CameraStreamKind;
  /** As `CameraView.url`: with the viewer username beyond loopback, never the password. */
  url: string;
  /** The path on the camera's port (`cameraStreamPath`). */
  path: string;
  /** The video codec a viewer of this URL gets. */
  codec: 'h264' | 'h265';
  /** `camera`: the base station's stream as it comes (no transcode); `transcoded`: ffmpeg's output. */
  source: 'camera' | 'transcoded';
  /**
   * Picture size. For `native` and `h264`, known once the camera has streamed (remembered across
   * restarts). For `sub`, always given: from the camera's aspect when known, else 16:9 assumed.
   */
  width?: number;
  height?: number;
  /** Frames per second: the setting for `sub`; the camera's own rate is not known for the others. */
  fps?: number;
  /** Viewers playing this URL now. */
  viewers: number;
  /** Present when `source` is `transcoded`. */
  transcoder?: TranscoderState;
  /** Why the transcoder failed or restarts, in words. */
  error?: string;
}

/** The H.264 encoder the transcoder uses, chosen once by a tiny test encode of each candidate. */
export interface TranscoderView {
  /** ffmpeg was found and can encode H.264 (false: derived streams answer 503 saying why). */
  available: boolean;
  /** The ffmpeg encoder's name, e.g. `h264_vaapi`, `h264_nvenc`, `libx264`; absent until probed or when none works. */
  encoder?: string;
  /** Whether it is a hardware encoder. */
  hardware: boolean;
  /** Why no encoder is available, or still `probing`. */
  error?: string;
  probing: boolean;
}

export const DEFAULT_SUB_STREAM_WIDTH = 640;
export const DEFAULT_SUB_STREAM_FPS = 5;
export const SUB_STREAM_WIDTH_RANGE = { min: 160, max: 1920 } as const;
export const SUB_STREAM_FPS_RANGE = { min: 1, max: 30 } as const;
/** The aspect assumed for a camera not seen streaming yet (every Arlo camera so far is 16:9). */
const ASSUMED_ASPECT = { width: 16, height: 9 };

/**
 * The sub-stream's picture size: `width` wide (never wider than the camera), the camera's aspect
 * kept, both sides even (H.264 encoders want 4:2:0 in whole macroblock pairs).
 */
export function subStreamSize(width: number, camera: { width: number; height: number } | undefined): { width: number; height: number } {
  const aspect = camera && camera.width > 0 && camera.height > 0 ? camera : ASSUMED_ASPECT;
  const wide = even(Math.min(width, camera?.width ?? width));
  return { width: wide, height: Math.max(2, even((wide * aspect.height) / aspect.width)) };
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}
