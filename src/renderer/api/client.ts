// The renderer's AppApiClient: one generic loop over APP_API_METHODS on top of whichever bridge the
// shell provides (the Electron preload's, or the web client's). Failures become `ApiError`s that
// keep the service's code and its user-facing message.

import { APP_API_METHODS, type ApiErrorPayload, type AppApi, type AppApiClient } from '../../shared/api.js';
import { BRIDGE_GLOBAL, type ApiBridge, type DesktopBridge } from '../../shared/bridge.js';
import { createWebBridge } from './web-client.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  constructor(payload: ApiErrorPayload) {
    super(payload.message);
    this.code = payload.code;
  }
}

export function createApiClient(bridge: ApiBridge): AppApiClient {
  const api = Object.fromEntries(
    APP_API_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        const result = await bridge.call(method, args);
        if (!result.ok) throw new ApiError(result.error);
        return result.value;
      },
    ]),
  ) as unknown as AppApi;
  return { ...api, subscribe: (listener) => bridge.subscribe(listener) };
}

/** The preload's bridge when this page runs in the desktop window. */
export function desktopBridge(): DesktopBridge | undefined {
  return (window as unknown as Record<string, DesktopBridge | undefined>)[BRIDGE_GLOBAL];
}

/** The client of this page: the preload's bridge inside Electron, HTTP + WebSocket in a browser. */
export function connectApi(): AppApiClient {
  return createApiClient(desktopBridge() ?? createWebBridge(window.location));
}

/** A message for the user from anything a call threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
