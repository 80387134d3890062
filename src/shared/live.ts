// The live view's protocol, one for both transports, and its routes. A live view is a `LiveMessage`
// naming the format, then fragmented MP4, then possibly an `end` or `error` message before the
// transport closes. On the web's WebSocket a message is JSON text and the MP4 comes as binary
// messages; on the desktop's MessagePort both are structured-cloned values (`LivePortData`), and
// the page answers with `LiveAck`s, since a port has no bufferedAmount to tell how far behind the
// page is.

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

/** What the main process posts on a desktop live port: a message, or a piece of fragmented MP4. */
export type LivePortData = LiveMessage | Uint8Array<ArrayBuffer>;

/** What the page posts back on a desktop live port: the bytes of MP4 it has taken so far, in all. */
export interface LiveAck {
  type: 'ack';
  bytes: number;
}

/** The desktop page asking for a live view; `id` names the port that answers it. */
export interface LiveRequest {
  id: string;
  deviceId: string;
  audio: boolean;
}

/**
 * The window message the desktop preload hands a live port to the page with (in its `ports`):
 * `{ [LIVE_PORT_MESSAGE]: <LiveRequest id> }`.
 */
export const LIVE_PORT_MESSAGE = 'arloLivePort';

export function isLiveAck(value: unknown): value is LiveAck {
  return typeof value === 'object' && value !== null && (value as LiveAck).type === 'ack' && Number.isSafeInteger((value as LiveAck).bytes);
}

export function isLiveRequest(value: unknown): value is LiveRequest {
  if (typeof value !== 'object' || value === null) return false;
  const { id, deviceId, audio } = value as LiveRequest;
  return typeof id === 'string' && id.length > 0 && id.length <= 100 && typeof deviceId === 'string' && deviceId.length > 0
    && deviceId.length <= 200 && typeof audio === 'boolean';
}

/** The live view's WebSocket path, relative to the UI's base; audio only when asked for. */
export function livePath(deviceId: string, audio: boolean): string {
  return `api/cameras/${encodeURIComponent(deviceId)}/live${audio ? '?audio=1' : ''}`;
}

/** The snapshot's path, relative to the UI's base. */
export function snapshotPath(deviceId: string): string {
  return `api/cameras/${encodeURIComponent(deviceId)}/snapshot.jpg`;
}
