// How one HTTP request reaches the Arlo cloud, as a parameter of the client (http.ts), so both
// shells share one client: headless sends over Node (undici-transport.ts); the desktop over
// Chromium's network stack (electron/chromium-transport.ts), which Arlo's bot protection takes for
// the browser it is (PROTOCOL.md §7: it fingerprints TLS and answers 429 to non-browser clients).
//
// A transport sends exactly one hop: it never follows a redirect (the client does, with the token
// and cookie rules in one place), never keeps a cookie (the client's jar does), and hands back the
// body already decoded from its Content-Encoding.

export type HttpMethod = 'GET' | 'POST' | 'OPTIONS';

export interface TransportRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  /** The JSON text of the body, if any. */
  body?: string;
  /** Milliseconds for connecting, the headers and the body together. */
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  /** A response header by its lower-case name (the first value when repeated); undefined when absent. */
  header(name: string): string | undefined;
  /** Every Set-Cookie line, one per cookie, as received. */
  setCookies: string[];
  /** The body as text (UTF-8), decoded from gzip, deflate or br. */
  text: string;
}

/** Which network stack a transport uses: what the advice on a bot wall depends on. */
export type NetworkStack = 'node' | 'chromium';

export interface HttpTransport {
  readonly stack: NetworkStack;
  /** Rejects with a TransportFailure, never anything else. */
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Ends every connection; later sends fail as `unreachable`. */
  close(): Promise<void>;
}

/** `unreachable`: no answer came (DNS, refused, timeout); `broken`: the answer broke off mid-body. */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';

  constructor(readonly kind: 'unreachable' | 'broken') {
    super(kind);
  }
}
