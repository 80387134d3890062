// Serves the built renderer (dist/renderer) to browsers, for `arlo-rtsp serve`/`demo`. Only
// files under the root are reachable; every page gets a strict Content-Security-Policy so a
// stray injection cannot run script or talk to another origin.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_CSP } from '../../shared/csp.js';

/** Where `vite build` puts the renderer, relative to this module in both src/ and dist/. */
export const DEFAULT_RENDERER_ROOT = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));

/** Serves GET/HEAD for files under `root`; resolves false (writing nothing) when the path is not one of them. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createStaticHandler(root: string = DEFAULT_RENDERER_ROOT): StaticHandler {
  const base = resolve(root);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = resolveInside(base, req.url ?? '/');
    if (!file) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': RENDERER_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // Hashed asset names may be cached for good; index.html must be fresh to pick them up.
      'Cache-Control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((done) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        done();
      });
      stream.on('end', done);
      stream.pipe(res);
    });
    return true;
  };
}

/** The file a request path names under `base`, or undefined when it would escape it or is malformed. */
export function resolveInside(base: string, url: string): string | undefined {
  const q = url.search(/[?#]/);
  let path: string;
  try {
    path = decodeURIComponent(q === -1 ? url : url.slice(0, q));
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(join(base, path));
  return file.startsWith(base + sep) ? file : undefined;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
