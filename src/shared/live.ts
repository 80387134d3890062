// The live view and snapshot routes as the web UI and the headless server both know them.

import type { ApiErrorPayload } from './api.js';

/** What a live view streams: what the player must support before the first bytes come. */
export interface LiveFormat {
  width: number;
  height: number;
  /** RFC 6381 codec string of the video, e.g. `avc1.64001f`. */
  codec: string;
  /** For `MediaSource.isTypeSupported` / `addSourceBuffer`. */
  mime: string;
  hevc: boolean;
  audio: boolean;
}

/** A text message on a live-view socket; the fragmented MP4 itself comes as binary messages. */
export type LiveMessage =
  | { type: 'format'; format: LiveFormat }
  | { type: 'end'; reason: string }
  | { type: 'error'; error: ApiErrorPayload };

/** The live view's WebSocket path, relative to the UI's base; audio only when asked for. */
export function livePath(deviceId: string, audio: boolean): string {
  return `api/cameras/${encodeURIComponent(deviceId)}/live${audio ? '?audio=1' : ''}`;
}

/** The snapshot's path, relative to the UI's base. */
export function snapshotPath(deviceId: string): string {
  return `api/cameras/${encodeURIComponent(deviceId)}/snapshot.jpg`;
}
