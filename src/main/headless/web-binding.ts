// AppApi over HTTP + WebSocket for the headless shell: one generic binding driven by
// APP_API_METHODS. `POST /api/call/<method>` takes a JSON array of arguments and answers the JSON
// result (or an ApiErrorPayload); `/api/events` is a WebSocket pushing every published AppState.
// The web server (web.ts) owns the `node:http` server; it hands requests and upgrades to us.
//
// Who may call: on loopback, anyone on this machine (like any local app) unless the user turned on
// the `requireAccessToken` setting (machines with several users); on any other address always
// only with the access token. Browsers are also guarded against other sites driving the API
// (CSRF) and against DNS rebinding, by checking Origin and Host. `POST /api/access-token` replaces
// the token and answers the new one to its (admitted) caller: the web UI calls it before turning the
// setting on, so the tab that turns it on keeps working and a token taken while the API was open
// stops working.
//
// `/api/cameras/<deviceId>/live[?audio=1]` is a WebSocket carrying a camera's live view, under the same rule:
// a `LiveMessage` naming the format, then fragmented MP4 as binary messages.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkArguments } from '../../shared/api-arguments.js';
import { APP_API_METHODS, type ApiErrorPayload, type AppApiClient, type AppApiMethod, type AppState, type SettingsView } from '../../shared/api.js';
import { isLoopbackAddress } from '../../shared/net.js';
import { toApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CameraMedia } from '../live/media.js';
import type { LiveOptions } from '../live/watch.js';
import { serveLive } from '../live/serve.js';
import type { AccessToken } from './access-token.js';

export interface WebBindingOptions {
  api: AppApiClient;
  /** The live view's source; without it the live route is not served. */
  media?: CameraMedia;
  /** The address the HTTP server listens on; anything but loopback requires `accessToken`. */
  listenHost: string;
  /** What a caller presents when a token is required. */
  accessToken: AccessToken;
  /** The `requireAccessToken` setting at start; later changes arrive through `updateSettings` calls. */
  requireTokenOnLoopback: boolean;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  logger: Logger;
}

export interface WebBinding {
  /** Serves `/api/call/*` and `/api/access-token`; returns false (and writes nothing) for any other path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes over WebSocket upgrades to `/api/events` on `server`. */
  attach(server: Server): void;
  /** Whether `req` may use the API (token and Origin/Host rules); for other routes such as GET /api/state. */
  authorize(req: IncomingMessage): ApiErrorPayload | undefined;
  /** Whether callers must present the access token now. */
  tokenRequired(): boolean;
  /** Closes every event socket. */
  close(): Promise<void>;
}

export const API_CALL_PREFIX = '/api/call/';
export const API_EVENTS_PATH = '/api/events';
/** `POST`: replaces the access token and answers `{ token }` with the new one. */
export const ACCESS_TOKEN_PATH = '/api/access-token';
export const ACCESS_TOKEN_HEADER = 'x-access-token';
/** `/api/cameras/<deviceId>/live` */
const LIVE_PATH = /^\/api\/cameras\/([^/]+)\/live$/;


/** A message on the events socket. The client may send `{ "token": "..." }` first instead of a query. */
export type EventMessage = { type: 'state'; state: AppState } | { type: 'error'; error: ApiErrorPayload };

export function createWebBinding(options: WebBindingOptions): WebBinding {
  const { api, logger, accessToken } = options;
  const loopbackOnly = isLoopbackAddress(options.listenHost);
  let requireTokenOnLoopback = options.requireTokenOnLoopback;
  const tokenRequired = (): boolean => !loopbackOnly || requireTokenOnLoopback;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const methods = new Set<string>(APP_API_METHODS);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  /** Every open socket, with the token it was admitted with (none when none was asked). */
  const sockets = new Map<WebSocket, string | undefined>();

  /** After the rule or the token changed: a socket admitted under the old one is closed (clients reconnect). */
  function closeSocketsNoLongerAdmitted(): void {
    if (!tokenRequired()) return;
    for (const [ws, token] of sockets) {
      if (!accessToken.matches(token)) ws.close(4401, 'access token required');
    }
  }

  function checkOrigin(req: IncomingMessage): ApiErrorPayload | undefined {
    const host = req.headers.host;
    if (!host) return { code: 'forbidden', message: 'Request without a Host header.' };
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 reaches us with its own Host.
    if (loopbackOnly && !isLoopbackHost(host)) {
      return { code: 'forbidden', message: `Host ${host} is not this machine; open the UI through 127.0.0.1 or localhost.` };
    }
    const origin = req.headers.origin;
    // Non-browser clients (curl, scripts) send no Origin; browsers always do on POST and WebSocket.
    if (origin !== undefined && !sameOrigin(origin, host)) {
      return { code: 'forbidden', message: `Requests from ${origin} are refused; use the UI served by this app.` };
    }
    return undefined;
  }

  function authorize(req: IncomingMessage, queryToken?: string | null): ApiErrorPayload | undefined {
    const originError = checkOrigin(req);
    if (originError) return originError;
    if (!tokenRequired()) return undefined;
    if (accessToken.matches(headerToken(req)) || accessToken.matches(queryToken)) return undefined;
    return {
      code: 'unauthorized',
      // Read by a person on the page, whichever command (serve, demo) runs the server, while it runs.
      message: 'This page needs the access token: open the web UI with its address ending in ?token=…, the one you bookmarked when the token was turned on in Settings, or the one arlo-rtsp printed as it started (if the token was turned on after that, restart arlo-rtsp to print it).',
    };
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const path = pathOf(req);
    const handle = path === ACCESS_TOKEN_PATH ? replaceToken(req, res)
      : path.startsWith(API_CALL_PREFIX) ? handleCall(req, res, path.slice(API_CALL_PREFIX.length))
      : undefined;
    if (!handle) return false;
    void handle.catch((error: unknown) => {
      logger.error({ err: error }, 'web api call failed unexpectedly');
      if (!res.headersSent) sendError(res, { code: 'internal', message: 'Internal error; see the log.' });
      else res.destroy();
    });
    return true;
  }

  /** The checks every POST route shares; false after answering the caller why not. */
  function admitPost(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, { code: 'method-not-allowed', message: 'API calls are POST requests.' });
      return false;
    }
    const denied = authorize(req, null);
    if (denied) {
      sendError(res, denied);
      return false;
    }
    // JSON only: a cross-site form cannot send it without a CORS preflight, which we never grant.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendError(res, { code: 'unsupported-media-type', message: 'Send the arguments as application/json.' });
      return false;
    }
    return true;
  }

  async function replaceToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!admitPost(req, res)) return;
    req.resume();
    const token = await accessToken.rotate();
    closeSocketsNoLongerAdmitted();
    logger.info('web access token replaced');
    sendJson(res, 200, { token });
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!admitPost(req, res)) return;
    if (!methods.has(name)) return sendError(res, { code: 'unknown-method', message: `No API method "${name}".` });
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      return sendError(res, { code: 'payload-too-large', message: `Request body over ${maxBodyBytes} bytes.` });
    }
    let args: unknown;
    try {
      args = body.length === 0 ? [] : JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(res, { code: 'bad-request', message: 'The body is not valid JSON.' });
    }
    if (!Array.isArray(args)) return sendError(res, { code: 'bad-request', message: 'The body must be a JSON array of arguments.' });
    const checked = checkArguments(name as AppApiMethod, args);
    if (!checked.ok) return sendError(res, { code: 'bad-request', message: checked.message });
    let result: unknown;
    try {
      result = await callMethod(api, name as AppApiMethod, checked.args);
    } catch (error) {
      const payload = toApiError(error);
      if (payload.code === 'internal') logger.error({ err: error, method: name }, 'web api call failed');
      else logger.info({ method: name, code: payload.code }, 'web api call refused');
      return sendError(res, payload);
    }
    // The setting takes effect with the answer to the call that changed it: the next request is judged by it.
    if (name === 'updateSettings') applyTokenSetting((result as SettingsView).requireAccessToken);
    sendJson(res, 200, result ?? null);
  }

  function applyTokenSetting(required: boolean): void {
    if (required === requireTokenOnLoopback) return;
    requireTokenOnLoopback = required;
    logger.info({ requireAccessToken: required }, 'web access token requirement on loopback changed');
    closeSocketsNoLongerAdmitted();
  }

  function attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = pathOf(req);
      const live = options.media && LIVE_PATH.exec(path);
      if (path !== API_EVENTS_PATH && !live) return; // another upgrade handler may want it
      const serve = live && options.media
        ? (ws: WebSocket) => startLive(ws, options.media!, decodeURIComponent(live[1]!), { audio: new URL(req.url ?? '/', 'http://x').searchParams.get('audio') === '1' })
        : startEvents;
      const start = (ws: WebSocket, token: string | undefined): void => {
        sockets.set(ws, token);
        ws.on('close', () => sockets.delete(ws));
        serve(ws);
      };
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      const originError = checkOrigin(req);
      if (originError) return refuseUpgrade(socket, originError);
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (authorize(req, query) === undefined) return start(ws, [headerToken(req), query ?? undefined].find((t) => accessToken.matches(t)));
        // Browsers cannot set headers on a WebSocket; the token may come as the first message.
        const timer = setTimeout(() => ws.close(4401, 'access token required'), 5000);
        ws.once('message', (data) => {
          clearTimeout(timer);
          const token = parseTokenMessage(data.toString());
          if (accessToken.matches(token)) start(ws, token);
          else ws.close(4401, 'access token wrong');
        });
        ws.once('close', () => clearTimeout(timer));
      });
    });
  }

  function startEvents(ws: WebSocket): void {
    const send = (state: AppState): void => {
      // State is idempotent (the latest wins); a client this far behind is gone or stuck.
      if (ws.bufferedAmount > 4 * 1024 * 1024) return ws.terminate();
      ws.send(JSON.stringify({ type: 'state', state } satisfies EventMessage));
    };
    const unsubscribe = api.subscribe(send);
    let alive = true;
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 30_000);
    ws.on('pong', () => (alive = true));
    ws.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
    ws.on('error', (error) => logger.debug({ err: error }, 'events socket error'));
    api.getState().then(send, (error: unknown) => {
      ws.send(JSON.stringify({ type: 'error', error: toApiError(error) } satisfies EventMessage));
    });
  }

  function startLive(ws: WebSocket, media: CameraMedia, deviceId: string, liveOptions: LiveOptions): void {
    const closed = serveLive(media, deviceId, liveOptions, {
      send: (message) => ws.send(JSON.stringify(message)),
      sendBytes: (bytes) => ws.send(bytes),
      queued: () => ws.bufferedAmount,
      close: () => ws.close(1000),
    }, logger);
    ws.on('close', closed);
    ws.on('error', (error) => logger.debug({ err: error }, 'live view socket error'));
  }

  async function close(): Promise<void> {
    for (const ws of sockets.keys()) ws.terminate();
    sockets.clear();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  // `?token=` too, for clients that cannot send headers (an <img>, Home Assistant's still image URL).
  const queryToken = (req: IncomingMessage): string | null => new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return { handleRequest, attach, authorize: (req) => authorize(req, queryToken(req)), tokenRequired, close };
}

/** HTTP status for each error code the binding itself produces; errors of the service map to 422. */
const STATUS_BY_CODE: Record<string, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'unknown-method': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  internal: 500,
};

function callMethod(api: AppApiClient, name: AppApiMethod, args: unknown[]): Promise<unknown> {
  // The generic call, with arguments of the types the method takes (`checkArguments`); the service
  // checks their values as it checks any user input.
  const method = api[name] as (...a: unknown[]) => Promise<unknown>;
  return method.apply(api, args);
}

function statusOf(payload: ApiErrorPayload): number {
  // An error the service raised on purpose (it has a code) is the caller's to fix: 422.
  return STATUS_BY_CODE[payload.code] ?? (payload.code === 'internal' ? 500 : 422);
}

export function sendError(res: ServerResponse, payload: ApiErrorPayload): void {
  sendJson(res, statusOf(payload), payload);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

function refuseUpgrade(socket: Duplex, payload: ApiErrorPayload): void {
  const body = JSON.stringify(payload);
  socket.end(
    `HTTP/1.1 ${statusOf(payload)} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerToken(req: IncomingMessage): string | undefined {
  const explicit = req.headers[ACCESS_TOKEN_HEADER];
  if (typeof explicit === 'string') return explicit;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

function parseTokenMessage(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as { token?: unknown }).token === 'string') {
      return (value as { token: string }).token;
    }
  } catch {
    // not JSON: not a token message
  }
  return undefined;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isLoopbackHost(hostHeader: string): boolean {
  return isLoopbackAddress(hostOnly(hostHeader));
}

function hostOnly(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

function sameOrigin(origin: string, hostHeader: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}
