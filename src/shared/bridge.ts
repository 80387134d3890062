// The transport shape under AppApiClient, common to the Electron preload (IPC) and the web client
// (fetch + WebSocket). A bridge moves a method name and its arguments and returns an envelope, so
// an error keeps its machine-readable code on every transport (Electron's IPC and contextBridge
// would keep only a message of a thrown error).

import type { ApiErrorPayload, AppApiMethod, AppState } from './api.js';

export type ApiResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorPayload };

export interface ApiBridge {
  call(method: AppApiMethod, args: unknown[]): Promise<ApiResult>;
  /** Calls `listener` with every published state; returns the unsubscribe function. */
  subscribe(listener: (state: AppState) => void): () => void;
}

/** IPC channels of the desktop shell. */
export const IPC_CALL_CHANNEL = 'arlo:call';
export const IPC_STATE_CHANNEL = 'arlo:state';

/** The name the preload exposes the bridge under, on `window`. */
export const BRIDGE_GLOBAL = 'arloBridge';
