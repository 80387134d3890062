// The transport shape under AppApiClient, common to the Electron preload (IPC) and the web client
// (fetch + WebSocket). A bridge moves a method name and its arguments and returns an envelope, so
// an error keeps its machine-readable code on every transport (Electron's IPC and contextBridge
// would keep only a message of a thrown error).

import type { ApiErrorPayload, AppApiMethod, AppState } from './api.js';
import type { LiveRequest } from './live.js';

export type ApiResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorPayload };

export interface ApiBridge {
  call(method: AppApiMethod, args: unknown[]): Promise<ApiResult>;
  /** Calls `listener` with every published state; returns the unsubscribe function. */
  subscribe(listener: (state: AppState) => void): () => void;
}

/**
 * The desktop preload's bridge: also opens live views. The answer says only whether the main
 * process took the request; the view itself comes on a MessagePort the preload posts to the
 * window (see LIVE_PORT_MESSAGE), since a port cannot cross the context bridge.
 */
export interface DesktopBridge extends ApiBridge {
  openLive(request: LiveRequest): Promise<ApiResult>;
}

/** IPC channels of the desktop shell. */
export const IPC_CALL_CHANNEL = 'arlo:call';
export const IPC_STATE_CHANNEL = 'arlo:state';
/** Page → main (invoke): open a live view. Main → page: the view's port (`webContents.postMessage`). */
export const IPC_LIVE_CHANNEL = 'arlo:live';
export const IPC_LIVE_PORT_CHANNEL = 'arlo:live-port';

/** The name the preload exposes the bridge under, on `window`. */
export const BRIDGE_GLOBAL = 'arloBridge';
