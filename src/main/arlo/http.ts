// The one door to the Arlo cloud: redirects, a cookie jar, the browser headers and this
// installation's identity on every call, and the translation of transport failures into
// ArloError. Each hop goes out over the shell's transport (transport.ts): undici headless, Chromium
// on the desktop. Envelopes are unwrapped by the two host clients (api-client.ts, auth-client.ts).
//
// Cookies: the working clients keep every cookie the hosts set and send them back (pyaarlo keeps a
// whole LWPCookieJar on disk); which one carries the trusted-device mark is not ours to guess. A
// real jar (tough-cookie) applies domain, path, expiry and Secure as a browser would, the same for
// both transports, and is kept as a secret (encrypted) by the account.
//
// tough-cookie is loaded on the first call, not with this module: `serve` and the tray app run
// for days without calling the cloud (docs/BENCHMARKS.md, "Idle after start").

import type * as Cookies from 'tough-cookie';
import type { ArloEndpoints } from './endpoints.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';
import { DEFAULT_USER_AGENT } from './identity.js';
import { TransportFailure, type HttpMethod, type HttpTransport, type TransportResponse } from './transport.js';
import { undiciTransport } from './undici-transport.js';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body was not JSON (a WAF's HTML page, say). */
  json: unknown;
}

export interface HttpOptions {
  /** Milliseconds for connecting, the headers and the body of one call. */
  timeoutMs?: number;
  /** How each hop is sent; undici (Node's HTTP) by default. */
  transport?: HttpTransport;
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

/** The next hop's method and body after a redirect with this status, as requests' `rebuild_method` decides. */
function redirected(status: number, method: HttpMethod, body: unknown): { method: HttpMethod; body: unknown } {
  if (status === 303 || status === 302 || (status === 301 && method === 'POST')) return { method: 'GET', body: undefined };
  return { method, body };
}

/**
 * What my.arlo.com's browser sends on every call, as pyaarlo copied it from a packet capture
 * (backend.py `_build_auth_headers`); bot protection compares requests with it. Both hosts get it,
 * with this installation's User-Agent (identity.ts). zstd is left out of Accept-Encoding: Node 20
 * cannot decode it (Chromium replaces the header with what it decodes itself).
 */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  'Accept-Encoding': 'gzip, deflate, br',
  'Accept-Language': 'en-GB,en;q=0.9,en-US;q=0.8',
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
  Priority: 'u=1, i',
  Origin: 'https://my.arlo.com',
  Referer: 'https://my.arlo.com/',
};

let cookies: Promise<typeof Cookies> | undefined;
/** tough-cookie, loaded once, on the first call that needs it. */
const loadCookieLibrary = () => (cookies ??= import('tough-cookie'));

export class ArloHttp {
  readonly #timeoutMs: number;
  readonly #transport: HttpTransport;
  #cookies: Cookies.CookieJar | undefined;
  #userAgent = DEFAULT_USER_AGENT;

  constructor(
    readonly endpoints: ArloEndpoints,
    options: HttpOptions = {},
  ) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#transport = options.transport ?? undiciTransport();
  }

  /** The User-Agent this installation keeps (identity.ts), sent on every call from now on. */
  useUserAgent(userAgent: string): void {
    this.#userAgent = userAgent;
  }

  /** Replaces the jar with one saved by `saveCookies` (a secret); anything unreadable starts empty. */
  async loadCookies(saved: string | undefined): Promise<void> {
    const { CookieJar } = await loadCookieLibrary();
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
    const { CookieJar } = await loadCookieLibrary();
    return (this.#cookies ??= new CookieJar());
  }

  async send(
    host: 'api' | 'auth',
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const base = host === 'api' ? this.endpoints.apiUrl : this.endpoints.authUrl;
    let url = `${base}${path}`;
    let hop = { method, headers, body };
    let response = await this.#hop(url, hop.method, hop.headers, hop.body);
    for (let redirects = 0; REDIRECT_STATUSES.has(response.status); redirects++) {
      const location = response.header('location');
      if (location === undefined) break;
      const next = new URL(location, url);
      if (redirects === MAX_REDIRECTS || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
        throw new ArloError('unexpected', `The Arlo cloud (${new URL(base).host}) sent this app round in redirects: try again later.`);
      }
      const { method: nextMethod, body: nextBody } = redirected(response.status, hop.method, hop.body);
      const keep = Object.entries(hop.headers).filter(([name]) => {
        const lower = name.toLowerCase();
        if (lower === 'authorization') return next.origin === new URL(url).origin;
        return nextBody !== undefined || lower !== 'content-type';
      });
      hop = { method: nextMethod, headers: Object.fromEntries(keep), body: nextBody };
      url = next.href;
      response = await this.#hop(url, hop.method, hop.headers, hop.body);
    }
    const contentType = response.header('content-type') ?? '';
    let json: unknown;
    if (contentType.includes('json') || /^\s*[{[]/.test(response.text)) {
      try {
        json = JSON.parse(response.text);
      } catch {
        json = undefined;
      }
    }
    // Bot protection: 429 before anything else is looked at (PROTOCOL.md §7), or a web application
    // firewall's HTML page instead of the JSON envelope.
    if (response.status === 429 || (json === undefined && (response.status === 403 || response.status === 503))) {
      throw new ArloError('bot-protection', ARLO_MESSAGES.botProtection[this.#transport.stack]);
    }
    return { status: response.status, json };
  }

  /** One request and its cookies; the jar answers for the URL of this hop. */
  async #hop(url: string, method: HttpMethod, headers: Record<string, string>, body: unknown): Promise<TransportResponse> {
    const jar = await this.#jar();
    const cookie = await jar.getCookieString(url);
    let response: TransportResponse;
    try {
      response = await this.#transport.send({
        url,
        method,
        headers: { ...BROWSER_HEADERS, 'User-Agent': this.#userAgent, ...headers, ...(cookie ? { Cookie: cookie } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      // The cause (DNS, refused, timeout) is rarely something the user can tell apart; the host is.
      const host = new URL(url).host;
      if (error instanceof TransportFailure && error.kind === 'broken') {
        throw new ArloError('network', `The connection to the Arlo cloud (${host}) broke off: try again.`);
      }
      throw new ArloError('network', `Could not reach the Arlo cloud (${host}): check the internet connection and try again.`);
    }
    for (const setCookie of response.setCookies) await jar.setCookie(setCookie, url, { ignoreError: true });
    return response;
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
