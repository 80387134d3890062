// The headless shell's HTTP server, for `serve` and `demo`: the web UI (the built renderer), the
// AppApi binding it talks to (`POST /api/call/*`, the `/api/events` WebSocket), and
// `GET /api/state` for scripts, `GET /metrics` for Prometheus, `GET /healthz` for container and
// service managers, and `GET /api/cameras/<deviceId>/snapshot.jpg` for still images (Home Assistant,
// dashboards). Who may call is the binding's rule, applied to every API route alike: anyone on this
// machine when listening on loopback (unless the `requireAccessToken` setting is on), else only with
// the access token. /healthz alone answers everyone, but says which camera is failing and why only
// to those the rule lets in.

import { access } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import type { AppApiClient, AppState } from '../../shared/api.js';
import type { Logger } from '../log.js';
import type { CameraMedia } from '../live/media.js';
import { SNAPSHOT_HTTP_STATUS } from '../live/snapshot.js';
import { AppError } from '../errors.js';
import type { AccessToken } from './access-token.js';
import { DEFAULT_RENDERER_ROOT, createStaticHandler } from './static.js';
import { createWebBinding, sendError, sendJson } from './web-binding.js';

export interface WebServerOptions {
  host: string;
  /** 0 picks a free port (`url` tells which). */
  port: number;
  api: AppApiClient;
  /** Live view and snapshots; without it their routes answer 404. */
  media?: CameraMedia;
  /** What API callers present when a token is required: beyond loopback, or on it with the `requireAccessToken` setting. */
  accessToken: AccessToken;
  logger: Logger;
  /** The built renderer (default `dist/renderer`). */
  rendererRoot?: string;
}

export interface WebServer {
  readonly server: http.Server;
  /** `http://host:port` as it listens (the actual port when 0 was asked). */
  readonly url: string;
  /** False when the renderer is not built: the API works, the page does not. */
  readonly uiBuilt: boolean;
  /** Whether callers must present the access token now (the binding's rule). */
  tokenRequired(): boolean;
  close(): Promise<void>;
}

export const STATE_PATH = '/api/state';
export const METRICS_PATH = '/metrics';
export const HEALTH_PATH = '/healthz';
/** `GET /api/cameras/<deviceId>/snapshot.jpg[?wake=1]`: the camera's latest keyframe as JPEG. */
const SNAPSHOT_PATH = /^\/api\/cameras\/([^/]+)\/snapshot\.jpg$/;

/** What `GET /api/state` answers: the cameras (URL, state, viewers, bytes, ...), base stations and warnings. */
export type StateSummary = Pick<AppState, 'cameras' | 'baseStations' | 'warnings'>;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { host, logger } = options;
  const rendererRoot = options.rendererRoot ?? DEFAULT_RENDERER_ROOT;
  const indexFile = join(rendererRoot, 'index.html');
  const uiBuilt = await access(indexFile).then(() => true, () => false);
  const binding = createWebBinding({
    api: options.api,
    ...(options.media ? { media: options.media } : {}),
    listenHost: host,
    logger,
    accessToken: options.accessToken,
    requireTokenOnLoopback: (await options.api.getState()).settings.requireAccessToken,
  });
  const serveStatic = createStaticHandler(rendererRoot);
  // Loaded here, not at the top: prom-client would add ~0.1 s of start-up to every other command.
  const { createMetrics, healthOf } = await import('./metrics.js');
  const metrics = createMetrics();

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'HTTP request failed');
      if (!res.headersSent) sendError(res, { code: 'internal', message: 'Internal error; see the log.' });
      else res.destroy();
    });
  });
  binding.attach(server);

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (binding.handleRequest(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === STATE_PATH) return serveState(req, res);
    if (path === METRICS_PATH) return serveMetrics(req, res);
    if (path === HEALTH_PATH) return serveHealth(req, res);
    const snapshot = SNAPSHOT_PATH.exec(path);
    if (snapshot && options.media) return serveSnapshot(req, res, options.media, decodeURIComponent(snapshot[1]!));
    if (await serveStatic(req, res)) return;
    if (path === '/' && !uiBuilt) {
      sendJson(res, 404, { code: 'ui-not-built', message: `The web UI is not built (no ${indexFile}): run "npm run build".` });
      return;
    }
    sendJson(res, 404, { code: 'not-found', message: `Nothing at ${path}.` });
  }

  /** Read-only routes answer GET and HEAD; false (after answering 405) for any other method. */
  function readOnly(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    res.setHeader('Allow', 'GET, HEAD');
    sendError(res, { code: 'method-not-allowed', message: 'Use GET.' });
    return false;
  }

  /** The binding's rule; false (after answering 401/403) when the caller may not read. */
  function allowed(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const denied = binding.authorize(req);
    if (denied) sendError(res, denied);
    return !denied;
  }

  async function serveState(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!readOnly(req, res) || !allowed(req, res)) return;
    const { cameras, baseStations, warnings } = await options.api.getState();
    sendJson(res, 200, { cameras, baseStations, warnings } satisfies StateSummary);
  }

  async function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!readOnly(req, res) || !allowed(req, res)) return;
    const text = await metrics.render(await options.api.getState());
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  async function serveHealth(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!readOnly(req, res)) return;
    const health = healthOf(await options.api.getState());
    // Degraded is still up: a container restarted for a certificate warning would gain nothing.
    const status = health.status === 'error' ? 503 : 200;
    sendJson(res, status, binding.authorize(req) ? { status: health.status } : health);
  }

  async function serveSnapshot(req: http.IncomingMessage, res: http.ServerResponse, media: CameraMedia, deviceId: string): Promise<void> {
    if (!readOnly(req, res) || !allowed(req, res)) return;
    const wake = new URL(req.url ?? '/', 'http://localhost').searchParams.get('wake') === '1';
    let jpeg: Buffer;
    try {
      jpeg = await media.snapshot(deviceId, { wake });
    } catch (error) {
      if (!(error instanceof AppError && error.code in SNAPSHOT_HTTP_STATUS)) throw error;
      const code = error.code as keyof typeof SNAPSHOT_HTTP_STATUS;
      const hint = error.code === 'no-recent-picture' ? ' Add ?wake=1 to wake it for one.' : '';
      sendJson(res, SNAPSHOT_HTTP_STATUS[code], { code, message: error.message + hint });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : jpeg);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(error.code === 'EADDRINUSE'
          ? `the web port ${options.port} on ${host} is already in use: choose another with --http HOST:PORT`
          : `cannot serve HTTP on ${host}:${options.port}: ${error.message}`)),
      );
      server.listen({ host, port: options.port }, () => resolve());
    });
  } catch (error) {
    await binding.close();
    throw error;
  }
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    uiBuilt,
    tokenRequired: binding.tokenRequired,
    async close() {
      await binding.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
