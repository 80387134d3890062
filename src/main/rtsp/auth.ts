// Authentication of viewers on our downstream RTSP server. Digest as RFC 7616 describes it: the
// challenge offers SHA-256 and MD5 with qop=auth; answers without qop (RFC 2069 style, as FFmpeg
// without qop, GStreamer and VLC send them) are still taken. Replay is prevented by binding every
// nonce to the connection it was issued on: a recorded exchange played on another connection names
// a nonce that connection never issued. Nonces also expire (`stale=true` after), and with qop the
// `nc` must grow per nonce. Basic sends the password in the clear on every request, so it is
// offered and accepted only when the user opted in.
//
// Wrong credentials are throttled per client address across all cameras (`FailureThrottle`): a
// growing delay before each evaluation, then a temporary block that expires by itself.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log.js';
import type { RtspRequest } from './message.js';

export const DEFAULT_REALM = 'Arlo Local RTSP';
/** About a minute, as RFC 7616 suggests for short-lived nonces; long enough for any RTSP setup. */
export const NONCE_LIFETIME_MS = 60_000;
/** Attempts an unauthenticated connection may fail (a request without or with wrong credentials) before it is closed. */
export const MAX_FAILED_ATTEMPTS = 3;

export interface RtspAuthOptions {
  username: string;
  password: string;
  realm?: string;
  /** Accept Basic (password in the clear on every request): only when the user opted in. Default false. */
  allowBasic?: boolean;
  /** How long a Digest nonce stays valid (default `NONCE_LIFETIME_MS`). */
  nonceLifetimeMs?: number;
  /** Shared by every camera so an address's failures count together; each authenticator has its own otherwise. */
  throttle?: FailureThrottle;
  /** Clock, for tests. */
  now?: () => number;
}

/** What a connection's request earned: go ahead, or a 401 with these challenges (and the connection closed after it if `close`). */
export type AuthVerdict = { accepted: true } | { accepted: false; challenge: string[]; close: boolean };

export type DigestAlgorithm = 'SHA-256' | 'MD5';
const HASHES: Record<DigestAlgorithm, string> = { 'SHA-256': 'sha256', MD5: 'md5' };

/** What every connection of one endpoint shares. */
interface EndpointAuth {
  realm: string;
  username: string;
  password: string;
  allowBasic: boolean;
  lifetime: number;
  throttle: FailureThrottle;
  now: () => number;
  /** Wrong usernames or passwords evaluated on any of its connections. */
  wrongCredentials: number;
}

/** One endpoint's viewer credentials; `connection()` gives each viewer connection its own state. */
export class RtspAuthenticator {
  readonly #endpoint: EndpointAuth;

  constructor(options: RtspAuthOptions) {
    const realm = options.realm ?? DEFAULT_REALM;
    if (/["\\\r\n]/.test(realm)) throw new TypeError('realm must not contain quotes, backslashes or line breaks');
    const now = options.now ?? Date.now;
    this.#endpoint = {
      realm,
      username: options.username,
      password: options.password,
      allowBasic: options.allowBasic ?? false,
      lifetime: options.nonceLifetimeMs ?? NONCE_LIFETIME_MS,
      throttle: options.throttle ?? new FailureThrottle({ now }),
      now,
      wrongCredentials: 0,
    };
  }

  /** Wrong usernames or passwords evaluated so far (not the attempts a throttled address was refused unheard). */
  get wrongCredentials(): number {
    return this.#endpoint.wrongCredentials;
  }

  get realm(): string {
    return this.#endpoint.realm;
  }

  /** The state of one viewer connection from `address`; `logger` names the camera. */
  connection(address: string, logger: Logger): ConnectionAuth {
    return new ConnectionAuth(this.#endpoint, address, logger);
  }
}

/** The digest the right credentials give for this answer (RFC 7616 §3.4.1); RTSP and HTTP alike. */
export function expectedDigest(endpoint: { username: string; realm: string; password: string }, algorithm: DigestAlgorithm, method: string, params: Map<string, string>): string {
  const hash = (text: string) => createHash(HASHES[algorithm]).update(text, 'utf8').digest('hex');
  const ha1 = hash(`${endpoint.username}:${endpoint.realm}:${endpoint.password}`);
  const ha2 = hash(`${method}:${params.get('uri')}`);
  const qop = params.get('qop');
  return qop === undefined
    ? hash(`${ha1}:${params.get('nonce')}:${ha2}`)
    : hash(`${ha1}:${params.get('nonce')}:${params.get('nc')}:${params.get('cnonce')}:${qop}:${ha2}`);
}

interface IssuedNonce {
  value: string;
  issuedAt: number;
  /** The highest `nc` accepted with this nonce (qop=auth answers); 0 before the first. */
  lastNc: number;
}

/**
 * One viewer connection's authentication: the nonce issued on it, whether it has authenticated, and
 * how many attempts it has failed. Requests are checked one at a time (the session answers in order).
 */
export class ConnectionAuth {
  readonly #endpoint: EndpointAuth;
  readonly #address: string;
  readonly #log: Logger;
  #nonce: IssuedNonce | undefined;
  #authenticated = false;
  #failures = 0;
  /** Called once, when the connection first authenticates. */
  onAuthenticated: (() => void) | undefined;

  constructor(endpoint: EndpointAuth, address: string, logger: Logger) {
    this.#endpoint = endpoint;
    this.#address = address;
    this.#log = logger;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  async check(request: RtspRequest): Promise<AuthVerdict> {
    const { allowBasic, throttle, username, password } = this.#endpoint;
    const header = request.headers.get('Authorization');
    const space = header === undefined ? -1 : header.indexOf(' ');
    const scheme = header === undefined ? '' : (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const rest = header === undefined || space < 0 ? '' : header.slice(space + 1).trim();

    if (scheme === 'basic' && allowBasic) {
      const outcome = await throttle.attempt(this.#address, () => (safeEqual(rest, Buffer.from(`${username}:${password}`, 'utf8').toString('base64')) ? 'accepted' : 'refused'));
      return this.#conclude(outcome);
    }
    if (scheme === 'digest') {
      const params = parseAuthParams(rest);
      const algorithm = this.#answerable(request, params);
      if (algorithm) {
        const outcome = await throttle.attempt(this.#address, () => this.#evaluateDigest(request, params, algorithm));
        return this.#conclude(outcome);
      }
    }
    // No credentials, a scheme we do not take, or an answer to a nonce this connection did not issue
    // (a replay from elsewhere): nothing to evaluate, but it counts against the connection.
    return this.#refuse(false);
  }

  /** The algorithm of a well-formed answer to this connection's current nonce, or undefined. */
  #answerable(request: RtspRequest, params: Map<string, string>): DigestAlgorithm | undefined {
    const nonce = this.#nonce;
    if (!nonce || params.get('nonce') !== nonce.value) return undefined;
    if (params.get('realm') !== this.#endpoint.realm) return undefined;
    if (params.get('username') === undefined || params.get('response') === undefined) return undefined;
    // The digest covers `uri`; it must name what this request asks for, or an answer could be used for another request.
    if (params.get('uri') !== request.uri) return undefined;
    const qop = params.get('qop');
    if (qop !== undefined) {
      const nc = params.get('nc');
      if (qop !== 'auth' || nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc) || params.get('cnonce') === undefined) return undefined;
      // nc must grow: the same answer sent twice is a replay.
      if (parseInt(nc, 16) <= nonce.lastNc) return undefined;
    }
    const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
    return algorithm === 'MD5' || algorithm === 'SHA-256' ? algorithm : undefined;
  }

  #evaluateDigest(request: RtspRequest, params: Map<string, string>, algorithm: DigestAlgorithm): AttemptOutcome {
    const nonce = this.#nonce!;
    const expected = expectedDigest(this.#endpoint, algorithm, request.method, params);
    // Both comparisons always run, so timing says nothing about which one failed.
    const userOk = safeEqual(params.get('username')!, this.#endpoint.username);
    const responseOk = safeEqual(params.get('response')!.toLowerCase(), expected);
    if (!userOk || !responseOk) return 'refused';
    const nc = params.get('nc');
    if (nc !== undefined) nonce.lastNc = parseInt(nc, 16);
    const { lifetime, now } = this.#endpoint;
    return now() - nonce.issuedAt > lifetime ? 'stale' : 'accepted';
  }

  #conclude(outcome: AttemptOutcome | 'blocked'): AuthVerdict {
    if (outcome === 'accepted') {
      if (!this.#authenticated) {
        this.#authenticated = true;
        this.onAuthenticated?.();
      }
      return { accepted: true };
    }
    if (outcome === 'refused') {
      this.#endpoint.wrongCredentials++;
      // The address and the camera (the logger's); never what was tried.
      this.#log.warn({ address: this.#address }, 'viewer gave a wrong username or password');
      const blockedMs = this.#endpoint.throttle.blockedMs(this.#address);
      if (blockedMs > 0) this.#log.warn({ address: this.#address, seconds: Math.round(blockedMs / 1000) }, 'too many wrong passwords from this address: its attempts are refused for a while');
    }
    if (outcome === 'blocked') this.#log.debug({ address: this.#address }, 'viewer credentials not evaluated: address blocked after repeated failures');
    // Right credentials on an expired nonce: a fresh nonce marked stale, not a failure.
    return outcome === 'stale' ? this.#challengeWith(this.#issueNonce(), true) : this.#refuse(false);
  }

  /**
   * A 401 answer. The nonce stays the same while it is current: a client whose answer failed on its
   * credentials must not read a changed nonce as "stale, retry" and repeat the wrong password.
   */
  #refuse(stale: boolean): AuthVerdict {
    const { lifetime, now } = this.#endpoint;
    const nonce = this.#nonce && now() - this.#nonce.issuedAt <= lifetime ? this.#nonce : this.#issueNonce();
    const verdict = this.#challengeWith(nonce, stale);
    if (!this.#authenticated && ++this.#failures >= MAX_FAILED_ATTEMPTS) verdict.close = true;
    return verdict;
  }

  #challengeWith(nonce: IssuedNonce, stale: boolean): AuthVerdict & { accepted: false } {
    const { realm, allowBasic } = this.#endpoint;
    const tail = stale ? ', stale=true' : '';
    // SHA-256 first as RFC 7616 asks; MD5 last, because FFmpeg and GStreamer take the last Digest
    // challenge and compute only MD5. Both name the same nonce, so either answer works.
    const challenge = (['SHA-256', 'MD5'] as const).map((algorithm) => `Digest realm="${realm}", qop="auth", nonce="${nonce.value}", algorithm=${algorithm}${tail}`);
    if (allowBasic) challenge.push(`Basic realm="${realm}"`);
    return { accepted: false, challenge, close: false };
  }

  #issueNonce(): IssuedNonce {
    this.#nonce = { value: randomBytes(16).toString('hex'), issuedAt: this.#endpoint.now(), lastNc: 0 };
    return this.#nonce;
  }
}

export type AttemptOutcome = 'accepted' | 'refused' | 'stale';

export interface ThrottleOptions {
  /** Delay before the evaluation after the first failure; doubles with each further one up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failures in a row after which the address is blocked. */
  blockAfter?: number;
  blockMs?: number;
  /** Failures older than this are forgotten. */
  forgetMs?: number;
  now?: () => number;
}

interface AddressRecord {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
  /** Attempts from this address run one after another, so parallel connections do not multiply the rate. */
  queue: Promise<unknown>;
}

/**
 * Failed logins per client address: each evaluation waits a delay that grows with the address's
 * failures, and after `blockAfter` failures the address's attempts are refused unevaluated for
 * `blockMs`. The block expires by itself, so the owner is never locked out for long.
 */
export class FailureThrottle {
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #blockAfter: number;
  readonly #blockMs: number;
  readonly #forgetMs: number;
  readonly #now: () => number;
  readonly #addresses = new Map<string, AddressRecord>();

  constructor(options: ThrottleOptions = {}) {
    this.#baseDelay = options.baseDelayMs ?? 100;
    this.#maxDelay = options.maxDelayMs ?? 2_000;
    this.#blockAfter = options.blockAfter ?? 10;
    this.#blockMs = options.blockMs ?? 30_000;
    this.#forgetMs = options.forgetMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Runs `evaluate` when the address's turn and delay come, or answers 'blocked' without running it. */
  attempt<T extends AttemptOutcome>(address: string, evaluate: () => T): Promise<T | 'blocked'> {
    const record = this.#record(address);
    const turn = record.queue.then(async () => {
      if (this.#now() < record.blockedUntil) return 'blocked' as const;
      const wait = record.lastFailureAt + this.#delay(record.failures) - this.#now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const outcome = evaluate();
      if (outcome === 'refused') this.#failed(address, record);
      else if (outcome === 'accepted') this.#addresses.delete(address);
      return outcome;
    });
    record.queue = turn;
    return turn;
  }

  /** How much longer the address's attempts are refused unevaluated; 0 when they are not. */
  blockedMs(address: string): number {
    const record = this.#addresses.get(address);
    return record ? Math.max(0, record.blockedUntil - this.#now()) : 0;
  }

  #record(address: string): AddressRecord {
    const now = this.#now();
    let record = this.#addresses.get(address);
    const expired = record && now >= record.blockedUntil && now - record.lastFailureAt > this.#forgetMs;
    if (!record || expired) {
      record = { failures: 0, lastFailureAt: 0, blockedUntil: 0, queue: record?.queue ?? Promise.resolve() };
      this.#addresses.set(address, record);
    }
    return record;
  }

  #delay(failures: number): number {
    return failures === 0 ? 0 : Math.min(this.#baseDelay * 2 ** (failures - 1), this.#maxDelay);
  }

  #failed(address: string, record: AddressRecord): void {
    const now = this.#now();
    record.failures++;
    record.lastFailureAt = now;
    if (record.failures >= this.#blockAfter) {
      record.blockedUntil = now + this.#blockMs;
      // After the block the address starts afresh: the owner's right password is evaluated at once.
      record.failures = 0;
    }
  }
}

/** `rtsp://user:pass@host/...` (or `rtsp://user@host/...` without a password) percent-encoded; replaces any userinfo already there. */
export function credentialsInUrl(url: string, username: string, password?: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)(?:[^@/?#]*@)?(.*)$/s.exec(url);
  if (!match) throw new TypeError(`not an absolute URL: ${url}`);
  const userinfo = encodeURIComponent(username) + (password === undefined ? '' : `:${encodeURIComponent(password)}`);
  return `${match[1]}${userinfo}@${match[2]}`;
}

/** Constant-time string equality that also hides the length of the expected value. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** `key=value, key="quoted, value"` pairs of a Digest header; keys in lower case. */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  for (let match = pattern.exec(text); match && match[0] !== ''; match = pattern.exec(text)) {
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    params.set(match[1]!.toLowerCase(), value);
  }
  return params;
}
