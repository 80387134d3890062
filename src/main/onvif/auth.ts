// Who may use the ONVIF devices: the LAN viewer's username and password, presented either as a
// WS-Security UsernameToken with PasswordDigest (what ONVIF clients send in the SOAP header; UniFi
// Protect sends nothing else) or as HTTP Digest (what the snapshot URI, and some clients for SOAP
// too, use). Both are checked here for every device alike, so a token or nonce used with one camera
// is used up for all of them.
//
// PasswordDigest is Base64(SHA-1(nonce + created + password)) (OASIS UsernameToken Profile 1.0
// §3.1): anyone who saw one request could send it again, so a token is taken only while its
// Created is within minutes of our clock and only once: its nonce and Created are remembered for
// that long. Both, as the digest binds both: libonvif seeds its nonce with the clock's second, so
// its requests within one second share a nonce and differ only in Created's milliseconds.
// HTTP Digest nonces are issued here, live a few minutes, and each answer's `nc` must grow (with
// no qop, a nonce answers once). Wrong passwords are throttled per address as the RTSP ports do.

import { createHash, randomBytes } from 'node:crypto';
import { expectedDigest, FailureThrottle, parseAuthParams, safeEqual, type DigestAlgorithm } from '../rtsp/auth.js';
import { child, text, attribute, type XmlNode } from './soap.js';

export interface OnvifCredentials {
  username: string;
  password: string;
}

/** How far a token's Created may be from our clock, either way (ONVIF clients correct for the device's clock first). */
export const CREATED_WINDOW_MS = 5 * 60_000;
/** Used nonces remembered at most (the oldest go first); only right tokens are remembered, so strangers cannot fill it. */
export const NONCE_CACHE_SIZE = 4096;
export const HTTP_NONCE_LIFETIME_MS = 5 * 60_000;
const HTTP_NONCES_MAX = 1024;
export const ONVIF_REALM = 'Arlo Local RTSP ONVIF';

const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

/** What a request's credentials earned; `refused` carries the reason for the log (never what was sent). */
export type AuthOutcome =
  | { result: 'accepted' }
  | { result: 'absent' }
  | { result: 'refused'; reason: string }
  /** HTTP Digest with the right password on an expired nonce: challenge again with stale=true. */
  | { result: 'stale' }
  | { result: 'blocked' };

export interface OnvifAuthOptions {
  /** Undefined: no credentials are set, and everyone is let in (only allowed on loopback). */
  credentials: OnvifCredentials | undefined;
  throttle?: FailureThrottle;
  now?: () => number;
}

export class OnvifAuth {
  readonly #credentials: OnvifCredentials | undefined;
  readonly #throttle: FailureThrottle;
  readonly #now: () => number;
  /** UsernameTokens (nonce and Created) already taken, with when; insertion order is age order. */
  readonly #usedNonces = new Map<string, number>();
  readonly #httpNonces = new Map<string, { issuedAt: number; lastNc: number }>();

  constructor(options: OnvifAuthOptions) {
    this.#credentials = options.credentials;
    this.#now = options.now ?? Date.now;
    this.#throttle = options.throttle ?? new FailureThrottle({ now: this.#now });
  }

  get required(): boolean {
    return this.#credentials !== undefined;
  }

  /** The SOAP header's UsernameToken, checked; `absent` when there is none. */
  async checkUsernameToken(header: XmlNode | undefined, address: string): Promise<AuthOutcome> {
    const token = child(child(header, 'Security'), 'UsernameToken');
    if (token === undefined) return { result: 'absent' };
    const credentials = this.#credentials;
    if (!credentials) return { result: 'accepted' };
    const username = text(child(token, 'Username')) ?? '';
    const passwordNode = child(token, 'Password');
    const password = text(passwordNode) ?? '';
    const nonce = text(child(token, 'Nonce')) ?? '';
    const created = text(child(token, 'Created')) ?? '';
    const type = attribute(passwordNode, 'Type');
    // PasswordText would carry the password in the clear on every request: not taken.
    if (type !== undefined && type !== PASSWORD_DIGEST) return { result: 'refused', reason: 'password sent as text, not as a digest' };
    if (nonce === '' || created === '') return { result: 'refused', reason: 'token without a nonce or creation time' };
    const createdAt = Date.parse(created);
    if (Number.isNaN(createdAt)) return { result: 'refused', reason: 'token creation time is not a date' };
    if (Math.abs(this.#now() - createdAt) > CREATED_WINDOW_MS) return { result: 'refused', reason: 'token created too long ago or in the future (check the clocks)' };
    this.#forgetOldNonces();
    const used = `${nonce} ${created}`;
    if (this.#usedNonces.has(used)) return { result: 'refused', reason: 'token used before (a replay)' };
    const outcome = await this.#throttle.attempt(address, () => {
      const expected = createHash('sha1')
        .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(credentials.password, 'utf8')]))
        .digest('base64');
      // Both comparisons always run, so timing says nothing about which one failed.
      const userOk = safeEqual(username, credentials.username);
      const digestOk = safeEqual(password, expected);
      return userOk && digestOk ? 'accepted' : 'refused';
    });
    if (outcome === 'blocked') return { result: 'blocked' };
    if (outcome !== 'accepted') return { result: 'refused', reason: 'wrong username or password' };
    // Checked again after the throttle's wait: two copies sent at once must not both pass.
    if (this.#usedNonces.has(used)) return { result: 'refused', reason: 'token used before (a replay)' };
    this.#usedNonces.set(used, this.#now());
    if (this.#usedNonces.size > NONCE_CACHE_SIZE) this.#usedNonces.delete(this.#usedNonces.keys().next().value!);
    return { result: 'accepted' };
  }

  /** An HTTP `Authorization: Digest ...` header for this method and request target, checked. */
  async checkHttpDigest(authorization: string | undefined, method: string, uri: string, address: string): Promise<AuthOutcome> {
    const credentials = this.#credentials;
    if (!credentials) return { result: 'accepted' };
    const match = /^digest\s+(.*)$/is.exec(authorization ?? '');
    if (!match) return { result: 'absent' };
    const params = parseAuthParams(match[1]!);
    const issued = this.#httpNonces.get(params.get('nonce') ?? '');
    if (!issued) return { result: 'refused', reason: 'answer to a nonce this device did not issue' };
    if (params.get('realm') !== ONVIF_REALM || params.get('uri') !== uri || !params.get('response')) return { result: 'refused', reason: 'malformed digest answer' };
    const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256') return { result: 'refused', reason: `digest algorithm ${algorithm} not offered` };
    const qop = params.get('qop');
    const nc = params.get('nc');
    if (qop !== undefined) {
      if (qop !== 'auth' || nc === undefined || !/^[0-9a-f]{8}$/i.test(nc) || !params.get('cnonce')) return { result: 'refused', reason: 'malformed digest answer' };
      if (parseInt(nc, 16) <= issued.lastNc) return { result: 'refused', reason: 'digest answer used before (a replay)' };
    } else if (issued.lastNc > 0) {
      return { result: 'refused', reason: 'digest answer used before (a replay)' };
    }
    const outcome = await this.#throttle.attempt(address, () => {
      const expected = expectedDigest({ ...credentials, realm: ONVIF_REALM }, algorithm as DigestAlgorithm, method, params);
      const userOk = safeEqual(params.get('username') ?? '', credentials.username);
      const responseOk = safeEqual(params.get('response')!.toLowerCase(), expected);
      if (!userOk || !responseOk) return 'refused';
      return this.#now() - issued.issuedAt > HTTP_NONCE_LIFETIME_MS ? 'stale' : 'accepted';
    });
    if (outcome === 'blocked') return { result: 'blocked' };
    if (outcome === 'refused') return { result: 'refused', reason: 'wrong username or password' };
    if (outcome === 'stale') {
      this.#httpNonces.delete(params.get('nonce')!);
      return { result: 'stale' };
    }
    // No qop: one answer per nonce (the client asks again on the next 401).
    issued.lastNc = qop === undefined ? Number.MAX_SAFE_INTEGER : Math.max(issued.lastNc, parseInt(nc!, 16));
    return { result: 'accepted' };
  }

  /** `WWW-Authenticate` values for a 401: Digest with SHA-256 and MD5 on one fresh nonce. */
  challenge(stale = false): string[] {
    const now = this.#now();
    for (const [nonce, { issuedAt }] of this.#httpNonces) {
      if (now - issuedAt <= HTTP_NONCE_LIFETIME_MS && this.#httpNonces.size < HTTP_NONCES_MAX) break;
      this.#httpNonces.delete(nonce);
    }
    const nonce = randomBytes(16).toString('hex');
    this.#httpNonces.set(nonce, { issuedAt: now, lastNc: 0 });
    const tail = stale ? ', stale=true' : '';
    // MD5 last: clients that read one challenge take the last, and MD5 is the one they all compute.
    return (['SHA-256', 'MD5'] as const).map((algorithm) => `Digest realm="${ONVIF_REALM}", qop="auth", nonce="${nonce}", algorithm=${algorithm}${tail}`);
  }

  #forgetOldNonces(): void {
    const oldest = this.#now() - 2 * CREATED_WINDOW_MS;
    for (const [nonce, at] of this.#usedNonces) {
      if (at >= oldest) break;
      this.#usedNonces.delete(nonce);
    }
  }
}
