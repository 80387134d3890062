// The desktop's transport to the Arlo cloud (arlo/transport.ts): Chromium's network stack through
// Electron's `net.request`, so the sign-in host sees a browser's TLS and HTTP/2 (its bot protection
// fingerprints them, PROTOCOL.md §7). The one Arlo client, its redirect rules and its cookie jar
// stay in arlo/http.ts for both shells.
//
// `net.request`, not `net.fetch`: fetch joins the Set-Cookie lines of an answer into one
// (lib/browser/api/net-fetch.ts `headers.set(k, v.join(', '))`), which no jar can split back, and it
// cannot stop at a redirect (its 'manual' mode fails the request, as nothing listens for
// 'redirect'). On its own in-memory partition with `credentials: 'omit'`, Chromium neither sends
// nor stores cookies of its own: a session cookie would replace our Cookie header (electron#22541),
// and the jar is kept, encrypted, with the other secrets rather than in Chromium's cookie file.

import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage, Session } from 'electron';
import { TransportFailure, type HttpTransport, type TransportRequest, type TransportResponse } from '../arlo/transport.js';

/** The partition the Arlo calls use; in memory (no `persist:`), so nothing of it lands on disk. */
export const ARLO_PARTITION = 'arlo-cloud';

export interface ChromiumNet {
  request(options: ClientRequestConstructorOptions): ClientRequest;
}

type HeaderValues = Record<string, string | string[] | undefined>;

export function chromiumTransport(net: ChromiumNet, session: Session): HttpTransport {
  const open = new Set<ClientRequest>();
  let closed = false;
  return {
    stack: 'chromium',
    send(request: TransportRequest): Promise<TransportResponse> {
      if (closed) return Promise.reject(new TransportFailure('unreachable'));
      return new Promise((resolve, reject) => {
        let answered = false;
        let settled = false;
        const settle = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          open.delete(call);
          outcome();
        };
        const fail = (): void => settle(() => reject(new TransportFailure(answered ? 'broken' : 'unreachable')));
        const call = net.request({ method: request.method, url: request.url, session, credentials: 'omit', redirect: 'manual', cache: 'no-store' });
        open.add(call);
        const timer = setTimeout(() => {
          fail();
          call.abort();
        }, request.timeoutMs);
        // Chromium advertises the encodings it decodes itself (and hands the body over decoded).
        for (const [name, value] of Object.entries(request.headers)) if (name.toLowerCase() !== 'accept-encoding') call.setHeader(name, value);
        call.on('error', fail);
        call.on('abort', fail);
        // A redirect is one hop's answer: the client decides whether and how to follow (arlo/http.ts).
        call.on('redirect', (status, _method, location, headers) => {
          settle(() => resolve(answer(status, { ...headers, location }, '')));
          call.abort();
        });
        call.on('response', (response: IncomingMessage) => {
          answered = true;
          const chunks: Buffer[] = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('error', fail);
          response.on('aborted', fail);
          response.on('end', () => settle(() => resolve(answer(response.statusCode, response.headers, Buffer.concat(chunks).toString('utf8')))));
        });
        call.end(request.body);
      });
    },
    async close(): Promise<void> {
      closed = true;
      for (const call of open) call.abort();
    },
  };
}

function answer(status: number, headers: HeaderValues, text: string): TransportResponse {
  const byName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const values = (name: string): string[] => {
    const value = byName.get(name);
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  return { status, header: (name) => values(name)[0], setCookies: values('set-cookie'), text };
}
