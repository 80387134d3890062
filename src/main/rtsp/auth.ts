// Authentication of viewers on our downstream RTSP server (RFC 2326 §D via RFC 2617): Digest MD5
// as FFmpeg and VLC speak it (no qop), Digest with qop=auth, and Basic. Server nonces are
// stateless: a timestamp plus an HMAC of it under a random per-process secret, so they cannot be
// forged, expire on their own, and die with the process.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RtspRequest } from './message.js';

export interface RtspAuthOptions {
  username: string;
  password: string;
  realm?: string;
  /** How long a Digest nonce stays valid. Default 10 minutes: longer than any RTSP setup. */
  nonceLifetimeMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_REALM = 'Arlo Local RTSP';

export class RtspAuthenticator {
  readonly realm: string;
  readonly #username: string;
  readonly #password: string;
  readonly #lifetime: number;
  readonly #now: () => number;

  constructor(options: RtspAuthOptions) {
    this.realm = options.realm ?? DEFAULT_REALM;
    if (/["\\\r\n]/.test(this.realm)) throw new TypeError('realm must not contain quotes, backslashes or line breaks');
    this.#username = options.username;
    this.#password = options.password;
    this.#lifetime = options.nonceLifetimeMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The WWW-Authenticate values of a 401 answer to `request`: Digest first (clients prefer the first
   * they know), then Basic. An answer that used a current nonce of ours failed on its credentials, so
   * the same nonce comes back: clients such as GStreamer read a changed nonce as "stale, retry" and
   * would repeat the wrong password. A nonce of ours that expired gets a fresh one with `stale=true`.
   */
  challenge(request?: RtspRequest): string[] {
    const offered = request && digestParams(request)?.get('nonce');
    const now = this.#now();
    const state = offered === undefined ? 'none' : this.#nonceState(offered, now);
    const nonce = state === 'current' ? offered! : this.#makeNonce(now);
    return [
      `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5${state === 'expired' ? ', stale=true' : ''}`,
      `Basic realm="${this.realm}"`,
    ];
  }

  /** Whether the request's Authorization header carries valid credentials. */
  verify(request: RtspRequest): boolean {
    const header = request.headers.get('Authorization');
    if (header === undefined) return false;
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') return this.#verifyBasic(rest);
    if (scheme === 'digest') return this.#verifyDigest(request, parseAuthParams(rest));
    return false;
  }

  #verifyBasic(token: string): boolean {
    const expected = Buffer.from(`${this.#username}:${this.#password}`, 'utf8').toString('base64');
    return safeEqual(token, expected);
  }

  #verifyDigest(request: RtspRequest, params: Map<string, string>): boolean {
    const username = params.get('username');
    const nonce = params.get('nonce');
    const uri = params.get('uri');
    const response = params.get('response');
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) return false;
    if (params.get('realm') !== this.realm) return false;
    const algorithm = params.get('algorithm');
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return false;
    // The digest covers `uri`; it must name what this request asks for, or an old answer could be replayed elsewhere.
    if (uri !== request.uri || this.#nonceState(nonce, this.#now()) !== 'current') return false;

    const ha1 = md5(`${this.#username}:${this.realm}:${this.#password}`);
    const ha2 = md5(`${request.method}:${uri}`);
    const qop = params.get('qop');
    let expected: string;
    if (qop === undefined) {
      expected = md5(`${ha1}:${nonce}:${ha2}`);
    } else {
      const nc = params.get('nc');
      const cnonce = params.get('cnonce');
      if (qop !== 'auth' || nc === undefined || cnonce === undefined) return false;
      expected = md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    }
    // Both comparisons always run, so timing says nothing about which one failed.
    const userOk = safeEqual(username, this.#username);
    const responseOk = safeEqual(response.toLowerCase(), expected);
    return userOk && responseOk;
  }

  #makeNonce(time: number): string {
    const stamp = Math.floor(time).toString(16).padStart(12, '0');
    return `${stamp}${mac(stamp, this.realm)}`;
  }

  /** Whether `nonce` is one of ours and still valid, one of ours that expired, or not ours at all. */
  #nonceState(nonce: string, now: number): 'current' | 'expired' | 'foreign' {
    if (!/^[0-9a-f]{12}[0-9a-f]{32}$/.test(nonce)) return 'foreign';
    const stamp = nonce.slice(0, 12);
    if (!safeEqual(nonce.slice(12), mac(stamp, this.realm))) return 'foreign';
    const age = now - parseInt(stamp, 16);
    if (age < -5_000) return 'foreign';
    return age <= this.#lifetime ? 'current' : 'expired';
  }
}

/** `rtsp://user:pass@host/...` with both parts percent-encoded; replaces any userinfo already there. */
export function credentialsInUrl(url: string, username: string, password: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(?:[^@/?#]*@)?(.*)$/s.exec(url);
  if (!match) throw new TypeError(`not an absolute URL: ${url}`);
  return `${match[1]}${encodeURIComponent(username)}:${encodeURIComponent(password)}@${match[2]}`;
}

const SECRET = randomBytes(32);

function mac(stamp: string, realm: string): string {
  return createHmac('sha256', SECRET).update(`${stamp}:${realm}`).digest('hex').slice(0, 32);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Constant-time string equality that also hides the length of the expected value. */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** The parameters of the request's Digest Authorization header, if it has one. */
function digestParams(request: RtspRequest): Map<string, string> | undefined {
  const header = request.headers.get('Authorization');
  const match = header === undefined ? null : /^digest\s+(.*)$/is.exec(header.trim());
  return match ? parseAuthParams(match[1]!) : undefined;
}

/** `key=value, key="quoted, value"` pairs of a Digest header; keys in lower case. */
function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  for (let match = pattern.exec(text); match && match[0] !== ''; match = pattern.exec(text)) {
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    params.set(match[1]!.toLowerCase(), value);
  }
  return params;
}
