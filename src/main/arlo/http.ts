// The one door to the Arlo cloud: undici on a private Agent (so `close()` really ends every
// socket), bounded timeouts, and the translation of transport failures into ArloError.
// Envelopes are unwrapped by the two host clients (api-client.ts, auth-client.ts).

import { Agent, request } from 'undici';
import type { ArloEndpoints } from './endpoints.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body was not JSON (a WAF's HTML page, say). */
  json: unknown;
  /** Raw `set-cookie` values, for the sign-in host's trusted-browser cookie. */
  setCookies: string[];
}

export interface HttpOptions {
  /** Milliseconds for connecting, the headers and the body of one call. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Looks like an Arlo app to the cloud; bot protection looks at this. */
export const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

export class ArloHttp {
  readonly #agent: Agent;

  constructor(
    readonly endpoints: ArloEndpoints,
    options: HttpOptions = {},
  ) {
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#agent = new Agent({ connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
  }

  async send(
    host: 'api' | 'auth',
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const base = host === 'api' ? this.endpoints.apiUrl : this.endpoints.authUrl;
    let response;
    try {
      response = await request(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#agent,
      });
    } catch {
      // The cause (DNS, refused, timeout) is rarely something the user can tell apart; the host is.
      throw new ArloError('network', `Could not reach the Arlo cloud (${new URL(base).host}): check the internet connection and try again.`);
    }
    let text: string;
    try {
      text = await response.body.text();
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
    const raw = response.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return { status: response.statusCode, json, setCookies };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
