// The headless shell's HTTP server: `GET /api/state` (what the cameras are doing, for scripts and
// monitoring), plus any handlers the shell mounts beside it (the AppApi binding, the renderer's
// static files). Loopback by default; beyond loopback the copyable URLs lose their credentials here.

import http from 'node:http';
import type { AppApi, AppState } from '../../shared/api.js';
import type { Logger } from '../log.js';
import { isLoopback } from '../stream/server.js';

/** Serves a request it recognizes and returns true; returns false (writing nothing) otherwise. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface WebServerOptions {
  host: string;
  port: number;
  api: Pick<AppApi, 'getState'>;
  logger: Logger;
  /** Tried in order before the 404, after `/api/state`. */
  handlers?: RequestHandler[];
}

export interface WebServer {
  readonly server: http.Server;
  /** `http://host:port` as it listens (the actual port when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

export const STATE_PATH = '/api/state';

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { host, logger } = options;
  const local = isLoopback(host);
  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'HTTP request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === STATE_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, { error: 'use GET' }, { Allow: 'GET, HEAD' });
        return;
      }
      send(res, 200, stateSummary(await options.api.getState(), local));
      return;
    }
    for (const handler of options.handlers ?? []) if (await handler(req, res)) return;
    send(res, 404, { error: `nothing at ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE'
        ? `the web port ${options.port} on ${host} is already in use: choose another with --http HOST:PORT`
        : `cannot serve HTTP on ${host}:${options.port}: ${error.message}`)),
    );
    server.listen({ host, port: options.port }, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The state for scripts: cameras and base stations, with viewer credentials kept off the network. */
function stateSummary(state: AppState, local: boolean): Pick<AppState, 'cameras' | 'baseStations' | 'warnings'> {
  const cameras = local ? state.cameras : state.cameras.map((c) => ({ ...c, url: c.url.replace(/^(rtsp:\/\/)[^@/]*@/, '$1') }));
  return { cameras, baseStations: state.baseStations, warnings: state.warnings };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
