// The sign-in host (PROTOCOL.md §3, after pyaarlo's backend.py): browser-style headers, an OPTIONS
// preflight before every POST (as a browser, and pyaarlo, send), the `{meta, data}` envelope (or
// the API host's `{success, data}`: both Python clients read either, envelope.ts), base64(token) as
// Authorization once /api/auth has answered. pyaarlo sends `factorData: ""` to
// getFactorId: the trust is carried by a cookie startPairingFactor sets together with the
// X-User-Device-Id; ArloHttp's cookie jar keeps every cookie, so both survive between sign-ins.

import { z } from 'zod';
import type { MfaFactor } from '../../shared/api.js';
import { printable } from '../../shared/text.js';
import { ARLO_MESSAGES, ArloError } from './errors.js';
import { envelopeOf, type Envelope } from './envelope.js';
import type { ArloHttp, HttpAnswer } from './http.js';

/**
 * meta.error numbers of the sign-in host. `untrusted` is seen in code (pyaarlo ignores 9204 as "not
 * trusted yet") and, with `factorDataInvalid`, in field reports (hass-aarlo #978, #1106, #1110;
 * PROTOCOL.md §7); the others are our guess [guess], which is why the message text is checked too.
 */
export const AUTH_ERROR = { untrusted: 9204, wrongOtp: 9211, otpExpired: 9212, pushPending: 9215, factorDataInvalid: 9261 } as const;

/** The failures a user can act on, whichever call they come from: by number, else by Arlo's words. */
function knownFailure(envelope: Envelope): ArloError | undefined {
  const number = Number(envelope.error);
  if (number === AUTH_ERROR.untrusted || /browser is not trusted/i.test(envelope.failure ?? '')) {
    return new ArloError('untrusted-browser', ARLO_MESSAGES.untrustedBrowser);
  }
  if (number === AUTH_ERROR.factorDataInvalid || /invalid factor data/i.test(envelope.failure ?? '')) {
    return new ArloError('factor-refused', ARLO_MESSAGES.factorRefused);
  }
  return undefined;
}

export interface AuthToken {
  token: string;
  userId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

// A number the host may send as a decimal string: neither Python client computes with `expiresIn`,
// so either form reaches them unharmed; we need the value, so we read both.
const numberish = z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)]);

const tokenSchema = z.object({
  token: z.string().min(1),
  userId: z.string().min(1),
  expiresIn: numberish,
  authCompleted: z.boolean().optional(),
  // Scrypted decides on this alone ('ENABLED' starts MFA, 'DISABLED' is signed in); pyaarlo on authCompleted.
  MFA_State: z.string().optional(),
  browserAuthCode: z.string().optional(),
});

// Some answers nest the token under `accessToken` (pyaarlo handles both).
const tokenAnswerSchema = z.union([tokenSchema, z.object({ accessToken: tokenSchema }).transform((v) => v.accessToken)]);

// Each factor is read alone, as pyaarlo and Scrypted read only the one they pick: a method this app
// cannot use (no factorId, a type it does not offer) is left out, and a nickname of another shape
// (null, say) falls back to the type; neither makes the list unreadable.
const factorsSchema = z.object({ items: z.array(z.unknown()) });
const factorSchema = z.object({
  factorId: z.string().min(1),
  factorType: z.string().transform((type) => type.toUpperCase()),
  factorNickname: z.string().transform(printable).optional().catch(undefined),
});

export type FinishResult = { done: true; token: AuthToken; browserAuthCode?: string } | { done: false; envelope: Envelope };

export class ArloAuthClient {
  #token: string | undefined;

  constructor(
    private readonly http: ArloHttp,
    private readonly clientDeviceId: string,
  ) {}

  async login(email: string, password: string): Promise<AuthToken & { authCompleted: boolean }> {
    const answer = await this.#post('/api/auth', {
      email,
      password: Buffer.from(password, 'utf8').toString('base64'),
      language: 'en',
      EnvSource: 'prod',
    });
    const envelope = this.#envelope(answer);
    if (answer.status === 401 || envelope.code === 401 || (!envelope.ok && /password|credential/i.test(envelope.failure ?? ''))) {
      throw new ArloError('wrong-password', ARLO_MESSAGES.wrongPassword);
    }
    const data = this.#expectOk(answer, envelope, tokenAnswerSchema, 'Signing in');
    this.#token = data.token;
    return { ...toToken(data), authCompleted: data.authCompleted ?? data.MFA_State?.toUpperCase() === 'DISABLED' };
  }

  /** The BROWSER factor id when this client is already trusted; undefined when MFA is needed. */
  async trustedFactorId(userId: string): Promise<string | undefined> {
    const answer = await this.#post('/api/getFactorId', { factorType: 'BROWSER', factorData: '', userId });
    const envelope = this.#envelope(answer);
    if (!envelope.ok) {
      this.#throwIfSessionGone(answer, envelope);
      return undefined;
    }
    const data = z.object({ factorId: z.string().min(1) }).safeParse(envelope.data);
    return data.success ? data.data.factorId : undefined;
  }

  async factors(): Promise<MfaFactor[]> {
    const answer = await this.#get(`/api/getFactors?data=${Math.floor(Date.now() / 1000)}`);
    const data = this.#expectOk(answer, this.#envelope(answer), factorsSchema, 'Listing your verification methods');
    return data.items.flatMap((entry) => {
      const item = factorSchema.safeParse(entry);
      if (!item.success) return [];
      const { factorId, factorType: type, factorNickname } = item.data;
      if (type !== 'EMAIL' && type !== 'SMS' && type !== 'PUSH') return [];
      return [{ factorId, factorType: type, nickname: factorNickname ?? type }];
    });
  }

  /** Sends the code (EMAIL, SMS) or the push prompt; returns the factorAuthCode that finishAuth wants. */
  async startFactor(factor: MfaFactor, userId: string): Promise<string> {
    // pyaarlo starts PUSH with an empty factorType and everything else as BROWSER.
    const factorType = factor.factorType === 'PUSH' ? '' : 'BROWSER';
    const answer = await this.#post('/api/startAuth', { factorId: factor.factorId, factorType, userId });
    const data = this.#expectOk(answer, this.#envelope(answer), z.object({ factorAuthCode: z.string().min(1) }), 'Starting verification');
    return data.factorAuthCode;
  }

  /**
   * startAuth with the trusted BROWSER factor: the token, no MFA; undefined when Arlo answers that
   * this browser is not trusted after all (9204: the trust lapsed between the two calls), so the
   * sign-in goes on with a code.
   */
  async startTrusted(factorId: string, userId: string): Promise<AuthToken | undefined> {
    const answer = await this.#post('/api/startAuth', { factorId, factorType: 'BROWSER', userId });
    const envelope = this.#envelope(answer);
    if (!envelope.ok && knownFailure(envelope)?.code === 'untrusted-browser') return undefined;
    const data = this.#expectOk(answer, envelope, tokenAnswerSchema, 'Signing in as a trusted device');
    this.#token = data.token;
    return toToken(data);
  }

  /** finishAuth with a code (EMAIL/SMS), or without one to poll a PUSH approval. */
  async finish(factorAuthCode: string, otp?: string): Promise<FinishResult> {
    const body: Record<string, unknown> = { factorAuthCode, isBrowserTrusted: true };
    if (otp !== undefined) body.otp = otp;
    const answer = await this.#post('/api/finishAuth', body);
    const envelope = this.#envelope(answer);
    if (!envelope.ok) {
      this.#throwIfSessionGone(answer, envelope);
      const known = knownFailure(envelope);
      if (known) throw known;
      if (otp !== undefined) {
        if (Number(envelope.error) === AUTH_ERROR.otpExpired || /expire/i.test(envelope.failure ?? '')) {
          throw new ArloError('code-expired', ARLO_MESSAGES.codeExpired);
        }
        throw new ArloError('wrong-code', ARLO_MESSAGES.wrongCode);
      }
      return { done: false, envelope };
    }
    const data = this.#expectOk(answer, envelope, tokenAnswerSchema, 'Finishing verification');
    this.#token = data.token;
    return { done: true, token: toToken(data), ...(data.browserAuthCode ? { browserAuthCode: data.browserAuthCode } : {}) };
  }

  /** Checks the current token; returns the userId when the host tells it. */
  async validate(): Promise<string | undefined> {
    const answer = await this.#get(`/api/validateAccessToken?data=${Math.floor(Date.now() / 1000)}`);
    const data = this.#expectOk(answer, this.#envelope(answer), z.object({ userId: z.string().optional() }).loose(), 'Checking the sign-in');
    return data.userId;
  }

  /** Asks Arlo to trust this client next time; the cookie that carries the trust lands in the jar. */
  async pair(browserAuthCode: string): Promise<void> {
    const answer = await this.#post('/api/startPairingFactor', { factorAuthCode: browserAuthCode, factorData: '', factorType: 'BROWSER' });
    this.#expectOk(answer, this.#envelope(answer), z.unknown(), 'Trusting this device');
  }

  /** Uses a token obtained elsewhere (a pasted one) for validate(). */
  useToken(token: string): void {
    this.#token = token;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/json, text/plain, */*',
      'Content-Type': 'application/json',
      'X-Service-Version': '3',
      'X-User-Device-Type': 'BROWSER',
      'X-User-Device-Automation-Name': 'QlJPV1NFUg==',
      'X-User-Device-Id': this.clientDeviceId,
    };
    if (this.#token) headers.Authorization = Buffer.from(this.#token, 'utf8').toString('base64');
    return headers;
  }

  /** The preflight a browser sends before each cross-site POST, then the POST (pyaarlo `auth_options`). */
  async #post(path: string, body: unknown): Promise<HttpAnswer> {
    await this.http.send('auth', 'OPTIONS', path, {
      ...this.#headers(),
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,x-service-version,x-user-device-automation-name,x-user-device-id,x-user-device-type',
    });
    return this.http.send('auth', 'POST', path, this.#headers(), body);
  }

  #get(path: string): Promise<HttpAnswer> {
    return this.http.send('auth', 'GET', path, this.#headers());
  }

  #envelope(answer: HttpAnswer): Envelope {
    const envelope = envelopeOf(answer.json);
    if (envelope) return envelope;
    if (answer.status === 401) return { ok: false, data: undefined, code: 401 };
    throw new ArloError('unexpected', `Arlo's sign-in answered HTTP ${answer.status} in a form this app does not know: try again later, or paste a token instead.`);
  }

  #throwIfSessionGone(answer: HttpAnswer, envelope: Envelope): void {
    if (answer.status === 401 || envelope.code === 401) throw new ArloError('token-expired', ARLO_MESSAGES.tokenExpired);
  }

  #expectOk<T extends z.ZodType>(answer: HttpAnswer, envelope: Envelope, schema: T, what: string): z.infer<T> {
    this.#throwIfSessionGone(answer, envelope);
    if (!envelope.ok) {
      const known = knownFailure(envelope);
      if (known) throw known;
      throw new ArloError('unexpected', `${what} failed: Arlo said "${envelope.failure ?? `error ${envelope.error ?? envelope.code ?? answer.status}`}". Try again later.`);
    }
    const data = schema.safeParse(envelope.data ?? {});
    if (!data.success) {
      throw new ArloError('unexpected', `${what} failed: Arlo's answer is missing fields this app needs (${data.error.issues[0]?.path.join('.') || 'data'}).`);
    }
    return data.data;
  }
}

/** Arlo's `expiresIn`: seconds from now in most answers; an epoch (s or ms) in some [guess]. */
export function expiryFrom(expiresIn: number, now = Date.now()): number {
  if (expiresIn > 1e12) return expiresIn;
  if (expiresIn > 1e9) return expiresIn * 1000;
  return now + expiresIn * 1000;
}

function toToken(data: z.infer<typeof tokenSchema>): AuthToken {
  return { token: data.token, userId: data.userId, expiresAt: expiryFrom(data.expiresIn) };
}
