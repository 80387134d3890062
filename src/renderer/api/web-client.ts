// The web page's bridge to the headless service: `POST /api/call/<method>` for calls and the
// `/api/events` WebSocket for state, reconnecting with backoff. Beyond loopback (or on it with the
// `requireAccessToken` setting) the server wants an access token: the user opens the URL with
// `?token=…` once; we keep it for the tab's session and take it out of the address bar so it is not
// shared by accident. `replaceAccessToken` asks the server for a new one and keeps that instead.

import type { ApiErrorPayload, AppApiMethod, AppState } from '../../shared/api.js';
import type { ApiBridge, ApiResult } from '../../shared/bridge.js';

const TOKEN_KEY = 'arlo-rtsp-access-token';
/** The error code of a call that could not reach the server at all. */
export const OFFLINE = 'offline';

export function createWebBridge(location: Location): ApiBridge {
  takeToken(location);
  const listeners = new Set<(state: AppState) => void>();
  let socket: WebSocket | undefined;
  let retryMs = 500;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  async function call(method: AppApiMethod, args: unknown[]): Promise<ApiResult> {
    let response: Response;
    try {
      response = await fetch(new URL(`api/call/${method}`, apiBase(location)), {
        method: 'POST',
        headers: requestHeaders(),
        body: JSON.stringify(args),
      });
    } catch {
      return { ok: false, error: { code: OFFLINE, message: 'Cannot reach arlo-rtsp: is it still running?' } };
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return { ok: true, value: body };
    return { ok: false, error: isErrorPayload(body) ? body : { code: `http-${response.status}`, message: response.statusText } };
  }

  function connect(): void {
    retryTimer = undefined;
    const url = new URL('api/events', apiBase(location));
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = 500;
      const token = accessToken();
      if (token) ws.send(JSON.stringify({ token }));
    });
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; state?: AppState };
      if (message.type === 'state' && message.state) listeners.forEach((l) => l(message.state as AppState));
    });
    ws.addEventListener('close', () => {
      socket = undefined;
      if (listeners.size === 0) return;
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    });
  }

  function subscribe(listener: (state: AppState) => void): () => void {
    listeners.add(listener);
    if (!socket && !retryTimer) connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      socket?.close();
    };
  }

  return { call, subscribe };
}

/** The access token this tab was opened with, if any (for routes that take `?token=`). */
export function accessToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/**
 * Asks the server for a new access token (the old one stops working) and keeps it for this tab;
 * the web UI's address with it, to bookmark. Asked before turning `requireAccessToken` on, so the
 * tab that turns it on keeps working.
 */
export async function replaceAccessToken(): Promise<string> {
  let response: Response;
  try {
    response = await fetch(new URL('api/access-token', apiBase(window.location)), { method: 'POST', headers: requestHeaders(), body: '{}' });
  } catch {
    throw new Error('Cannot reach arlo-rtsp: is it still running?');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok || typeof (body as { token?: unknown } | undefined)?.token !== 'string') {
    throw new Error(isErrorPayload(body) ? body.message : `No new access token (HTTP ${response.status}).`);
  }
  const token = (body as { token: string }).token;
  sessionStorage.setItem(TOKEN_KEY, token);
  const url = new URL(apiBase(window.location));
  url.searchParams.set('token', token);
  return url.href;
}

function requestHeaders(): Record<string, string> {
  const token = accessToken();
  return { 'Content-Type': 'application/json', ...(token ? { 'X-Access-Token': token } : {}) };
}

/** An absolute URL of a route under the UI's base (e.g. a snapshot), with the token when `withToken`. */
export function routeUrl(path: string, withToken = false): string {
  const url = new URL(path, apiBase(window.location));
  const token = accessToken();
  if (withToken && token) url.searchParams.set('token', token);
  return url.href;
}

/** Opens a WebSocket to `path` under the UI's base, sending the token first as the events socket does. */
export function openSocket(path: string): WebSocket {
  const url = new URL(path, apiBase(window.location));
  url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  const token = accessToken();
  if (token) ws.addEventListener('open', () => ws.send(JSON.stringify({ token })), { once: true });
  return ws;
}

/** The directory the page was served from, so a reverse proxy may mount the UI under a prefix. */
function apiBase(location: Location): string {
  return new URL('./', location.href).href;
}

/** Keeps a token from the address bar for the tab's session and takes it out of the address bar. */
function takeToken(location: Location): void {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (!fromUrl) return;
  sessionStorage.setItem(TOKEN_KEY, fromUrl);
  url.searchParams.delete('token');
  history.replaceState(null, '', url);
}

function isErrorPayload(value: unknown): value is ApiErrorPayload {
  return typeof value === 'object' && value !== null && typeof (value as ApiErrorPayload).code === 'string'
    && typeof (value as ApiErrorPayload).message === 'string';
}
