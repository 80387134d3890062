// The one door to the Arlo cloud: undici on a private Agent (so `close()` really ends every
// socket), bounded timeouts, a cookie jar, and the translation of transport failures into ArloError.
// Envelopes are unwrapped by the two host clients (api-client.ts, auth-client.ts).
//
// Cookies: the working clients keep every cookie the hosts set and send them back (pyaarlo keeps a
// whole LWPCookieJar on disk); which one carries the trusted-device mark is not ours to guess. A
// real jar (tough-cookie) applies domain, path, expiry and Secure as a browser would.
//
// undici and tough-cookie are loaded on the first call, not with this module: `serve` and the tray
// app run for days without calling the cloud. Loaded at start, the two held 4.4 MB of serve's heap
// that every major collection walks, and undici compiles its HTTP parser (WebAssembly), after which
// V8 woke a thread 4 times in the first two minutes (docs/benchmarks-history.md, "Idle after start").

import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type * as Cookies from 'tough-cookie';
import type * as Undici from 'undici';
import type { ArloEndpoints } from './endpoints.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body was not JSON (a WAF's HTML page, say). */
  json: unknown;
}

export interface HttpOptions {
  /** Milliseconds for connecting, the headers and the body of one call. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Redirects are followed as pyaarlo's HTTP library (Python requests) follows them: up to its limit
 * of 30, a 303 and a 302 (and a 301 after a POST) continued as a GET without the body, a 307/308
 * repeated as sent. The token never goes to another origin (requests drops it on a host change);
 * cookies go wherever the jar's rules allow.
 */
const MAX_REDIRECTS = 30;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Method = 'GET' | 'POST' | 'OPTIONS';

/** The next hop's method and body after a redirect with this status, as requests' `rebuild_method` decides. */
function redirected(status: number, method: Method, body: unknown): { method: Method; body: unknown } {
  if (status === 303 || status === 302 || (status === 301 && method === 'POST')) return { method: 'GET', body: undefined };
  return { method, body };
}

/** Looks like an Arlo app to the cloud; bot protection looks at this. */
export const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

/**
 * What my.arlo.com's browser sends on every call, as pyaarlo copied it from a packet capture
 * (backend.py `_build_auth_headers`); bot protection compares requests with it. Both hosts get it.
 * zstd is left out of Accept-Encoding: Node 20 cannot decode it.
 */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  'Accept-Encoding': 'gzip, deflate, br',
  'Accept-Language': 'en-GB,en;q=0.9,en-US;q=0.8',
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
  Priority: 'u=1, i',
  Origin: 'https://my.arlo.com',
  Referer: 'https://my.arlo.com/',
  'User-Agent': USER_AGENT,
};

const DECODERS: Record<string, (body: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

let libraries: Promise<[typeof Undici, typeof Cookies]> | undefined;
/** undici and tough-cookie, loaded once, on the first call that needs them. */
const loadLibraries = () => (libraries ??= Promise.all([import('undici'), import('tough-cookie')]));

export class ArloHttp {
  readonly #timeoutMs: number;
  #agent: Promise<Undici.Agent> | undefined;
  #closed = false;
  #cookies: Cookies.CookieJar | undefined;

  constructor(
    readonly endpoints: ArloEndpoints,
    options: HttpOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Replaces the jar with one saved by `saveCookies` (a secret); anything unreadable starts empty. */
  async loadCookies(saved: string | undefined): Promise<void> {
    const { CookieJar } = (await loadLibraries())[1];
    this.#cookies = new CookieJar();
    if (!saved) return;
    try {
      this.#cookies = CookieJar.deserializeSync(saved);
    } catch {
      // Before the jar, only `name=value; ...` pairs of the sign-in host were kept.
      for (const pair of saved.split(/;\s*/)) {
        if (pair.includes('=')) this.#cookies.setCookieSync(`${pair}; Path=/`, this.endpoints.authUrl, { ignoreError: true });
      }
    }
  }

  /** The jar as JSON, to keep as a secret: it carries the trusted-device mark. */
  async saveCookies(): Promise<string> {
    return JSON.stringify((await this.#jar()).serializeSync());
  }

  async #jar(): Promise<Cookies.CookieJar> {
    const { CookieJar } = (await loadLibraries())[1];
    return (this.#cookies ??= new CookieJar());
  }

  /** The private Agent, made on the first call; none once closed (the call fails as a network error). */
  #dispatcher(): Promise<Undici.Agent> {
    if (this.#closed) return Promise.reject(new Error('closed'));
    const timeout = this.#timeoutMs;
    return (this.#agent ??= loadLibraries().then(([{ Agent }]) => new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout })));
  }

  async send(
    host: 'api' | 'auth',
    method: Method,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const base = host === 'api' ? this.endpoints.apiUrl : this.endpoints.authUrl;
    let url = `${base}${path}`;
    let hop = { method, headers, body };
    let response = await this.#hop(url, hop.method, hop.headers, hop.body);
    for (let redirects = 0; REDIRECT_STATUSES.has(response.statusCode); redirects++) {
      const location = response.headers.location;
      if (typeof location !== 'string') break;
      await response.body.dump();
      const next = new URL(location, url);
      if (redirects === MAX_REDIRECTS || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
        throw new ArloError('unexpected', `The Arlo cloud (${new URL(base).host}) sent this app round in redirects: try again later.`);
      }
      const { method: nextMethod, body: nextBody } = redirected(response.statusCode, hop.method, hop.body);
      const keep = Object.entries(hop.headers).filter(([name]) => {
        const lower = name.toLowerCase();
        if (lower === 'authorization') return next.origin === new URL(url).origin;
        return nextBody !== undefined || lower !== 'content-type';
      });
      hop = { method: nextMethod, headers: Object.fromEntries(keep), body: nextBody };
      url = next.href;
      response = await this.#hop(url, hop.method, hop.headers, hop.body);
    }
    let text: string;
    try {
      const bytes = Buffer.from(await response.body.arrayBuffer());
      const decode = DECODERS[String(response.headers['content-encoding'] ?? '').trim().toLowerCase()];
      text = (decode ? await decode(bytes) : bytes).toString('utf8');
    } catch {
      throw new ArloError('network', `The connection to the Arlo cloud (${new URL(base).host}) broke off: try again.`);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    let json: unknown;
    if (contentType.includes('json') || /^\s*[{[]/.test(text)) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    // A web application firewall answers with an HTML page instead of the JSON envelope.
    if (json === undefined && (response.statusCode === 403 || response.statusCode === 429 || response.statusCode === 503)) {
      throw new ArloError('bot-protection', ARLO_MESSAGES.botProtection);
    }
    return { status: response.statusCode, json };
  }

  /** One request and its cookies; the jar answers for the URL of this hop. */
  async #hop(url: string, method: Method, headers: Record<string, string>, body: unknown) {
    const jar = await this.#jar();
    const cookie = await jar.getCookieString(url);
    let response;
    try {
      const [[{ request }], dispatcher] = await Promise.all([loadLibraries(), this.#dispatcher()]);
      response = await request(url, {
        method,
        headers: { ...BROWSER_HEADERS, ...headers, ...(cookie ? { Cookie: cookie } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher,
      });
    } catch {
      // The cause (DNS, refused, timeout) is rarely something the user can tell apart; the host is.
      throw new ArloError('network', `Could not reach the Arlo cloud (${new URL(url).host}): check the internet connection and try again.`);
    }
    const raw = response.headers['set-cookie'];
    for (const setCookie of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      await jar.setCookie(setCookie, url, { ignoreError: true });
    }
    return response;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await (await this.#agent)?.close();
  }
}
