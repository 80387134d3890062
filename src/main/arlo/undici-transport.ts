// The headless shell's transport (transport.ts): undici on a private Agent (so `close()` really
// ends every socket), bounded timeouts, bodies decoded here (undici hands them over as sent).
//
// undici is loaded on the first send, not with this module: `serve` runs for days without calling
// the cloud. Loaded at start it held megabytes of serve's heap that every major collection walks,
// and compiled its HTTP parser (WebAssembly), after which V8 woke a thread 4 times in the first two
// minutes (docs/BENCHMARKS.md, "Idle after start").

import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type * as Undici from 'undici';
import { TransportFailure, type HttpTransport, type TransportRequest, type TransportResponse } from './transport.js';

const DECODERS: Record<string, (body: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

let undici: Promise<typeof Undici> | undefined;
const loadUndici = () => (undici ??= import('undici'));

export function undiciTransport(): HttpTransport {
  let agent: Promise<Undici.Agent> | undefined;
  let closed = false;

  /** The private Agent, made on the first send; none once closed (the send fails as unreachable). */
  const dispatcher = (): Promise<Undici.Agent> => {
    if (closed) return Promise.reject(new Error('closed'));
    return (agent ??= loadUndici().then(({ Agent }) => new Agent()));
  };

  return {
    stack: 'node',
    async send(request: TransportRequest): Promise<TransportResponse> {
      let response: Undici.Dispatcher.ResponseData;
      try {
        const [{ request: send }, through] = await Promise.all([loadUndici(), dispatcher()]);
        // One deadline for connecting, the headers and the body (an abort mid-body is `broken`).
        const signal = AbortSignal.timeout(request.timeoutMs);
        response = await send(request.url, { method: request.method, headers: request.headers, body: request.body, dispatcher: through, signal });
      } catch {
        throw new TransportFailure('unreachable');
      }
      const first = (name: string): string | undefined => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      let text: string;
      try {
        const bytes = Buffer.from(await response.body.arrayBuffer());
        const decode = DECODERS[(first('content-encoding') ?? '').trim().toLowerCase()];
        text = (decode ? await decode(bytes) : bytes).toString('utf8');
      } catch {
        throw new TransportFailure('broken');
      }
      const raw = response.headers['set-cookie'];
      return { status: response.statusCode, header: first, setCookies: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw], text };
    },
    async close(): Promise<void> {
      // Once: undici refuses to close an Agent twice.
      if (closed) return;
      closed = true;
      await (await agent)?.close();
    },
  };
}
