// The simulated sign-in host (ocapi-app.arlo.com, PROTOCOL.md §3), strict about the browser headers,
// the `{meta, data}` envelope, base64(token) after /api/auth, and the trusted-browser cookie.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, readJson, sendJson } from './http-util.js';
import type { CloudState } from './state.js';

export interface AuthHostOptions {
  codeTtlMs: number;
  /** finishAuth polls before a PUSH counts as approved, per account email; absent = never. */
  pushApprovals: Map<string, number>;
  /** The trusted-device cookie's name; default `browser_trust_<userId prefix>`. */
  trustCookieName?: string;
  /** Failure text at the top level (`{meta: {code, error}, message}`) instead of in `meta`. */
  topLevelErrors: boolean;
  /** /api/auth tells `MFA_State` (ENABLED/DISABLED) and leaves out `authCompleted`. */
  mfaStateOnly: boolean;
  /** Token answers carry `expiresIn` and `issued` as decimal strings. */
  numbersAsStrings: boolean;
  /** Answers in the API host's envelope, `{success, data}`, a failure's code and text under `data`. */
  successEnvelope: boolean;
  /** startAuth with the trusted BROWSER factor answers 9204 although getFactorId found the browser trusted. */
  trustLapsesAtStartAuth: boolean;
  /** startAuth of a code or push factor answers 400 / 9261 "Invalid factor data". */
  invalidFactorData: boolean;
  /** What getFactors lists instead of the account's factors, each with its `factorRole`, as sent. */
  factorList?: (factors: unknown[]) => unknown[];
}

/** meta.error numbers; 9204 (untrusted) is seen in pyaarlo, the others are this project's guess. */
const ERR = { untrusted: 9204, wrongOtp: 9211, otpExpired: 9212, pushPending: 9215, factorDataInvalid: 9261, badRequest: 9000, badCredentials: 1001, unauthorized: 9401 } as const;

const REQUIRED_HEADERS: [string, (v: string) => boolean][] = [
  ['origin', (v) => v === 'https://my.arlo.com'],
  ['x-service-version', (v) => v === '3'],
  ['x-user-device-type', (v) => v === 'BROWSER'],
  ['x-user-device-automation-name', (v) => v === 'QlJPV1NFUg=='],
  ['x-user-device-id', (v) => /^[0-9a-f-]{16,}$/i.test(v)],
];

export function authHost(state: CloudState, options: AuthHostOptions) {
  const ok = (res: ServerResponse, data: unknown, headers: Record<string, string | string[]> = {}) =>
    sendJson(res, 200, options.successEnvelope ? { success: true, data } : { meta: { code: 200 }, data }, headers);
  const failure = (code: number, error: number, message: string) => {
    if (options.successEnvelope) return { success: false, data: { error, message } };
    return options.topLevelErrors ? { meta: { code, error }, message } : { meta: { code, error, message }, data: {} };
  };
  const fail = (res: ServerResponse, status: number, code: number, error: number, message: string) =>
    sendJson(res, status, failure(code, error, message));

  /** A new token and the fields every token answer carries, numbers as the options want them. */
  const tokenFields = (userId: string, full: boolean) => {
    const { token, expiresIn } = state.issueToken(userId, full);
    const issued = Math.floor(Date.now() / 1000);
    return options.numbersAsStrings
      ? { token, userId, expiresIn: String(expiresIn), issued: String(issued) }
      : { token, userId, expiresIn, issued };
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    for (const [name, valid] of REQUIRED_HEADERS) {
      const value = header(req, name);
      if (value === undefined || !valid(value)) return fail(res, 400, 400, ERR.badRequest, `Missing or bad header ${name}`);
    }
    const deviceId = header(req, 'x-user-device-id') ?? '';

    if (req.method === 'POST' && url.pathname === '/api/auth') {
      const body = await readJson(req);
      const email = typeof body?.email === 'string' ? body.email.toLowerCase() : '';
      const password = typeof body?.password === 'string' ? Buffer.from(body.password, 'base64').toString('utf8') : undefined;
      if (!body || body.language !== 'en' || body.EnvSource !== 'prod' || password === undefined) {
        return fail(res, 400, 400, ERR.badRequest, 'Bad request');
      }
      const account = state.accounts.find((a) => a.email === email);
      if (!account || account.password !== password) return fail(res, 401, 401, ERR.badCredentials, 'Invalid email or password');
      const authCompleted = account.factors.length === 0;
      const mfa = options.mfaStateOnly ? { MFA_State: authCompleted ? 'DISABLED' : 'ENABLED' } : { authCompleted, mfa: !authCompleted };
      return ok(res, { ...tokenFields(account.userId, authCompleted), ...mfa });
    }

    // Everything else wants Authorization: base64(token).
    const raw = header(req, 'authorization');
    const token = raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
    const record = state.token(token);
    if (!record || Buffer.from(token ?? '', 'utf8').toString('base64') !== raw) {
      return fail(res, 401, 401, ERR.unauthorized, 'Unauthorized');
    }
    const account = state.account(record.userId);
    if (!account) return fail(res, 401, 401, ERR.unauthorized, 'Unauthorized');
    const trustCookie = options.trustCookieName ?? `browser_trust_${account.userId.slice(0, 8)}`;
    const trustedBrowser = (): boolean => {
      const cookies = (header(req, 'cookie') ?? '').split(/;\s*/);
      return cookies.some((cookie) => {
        const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
        const trust = name === trustCookie ? state.trusted.get(value) : undefined;
        return trust !== undefined && trust.userId === account.userId && trust.deviceId === deviceId;
      });
    };
    const browserFactorId = `${account.userId}-BROWSER`;

    if (req.method === 'GET' && url.pathname === '/api/validateAccessToken') {
      if (!url.searchParams.get('data')) return fail(res, 400, 400, ERR.badRequest, 'Bad request');
      return ok(res, { userId: account.userId, tokenValidated: true });
    }
    if (req.method === 'GET' && url.pathname === '/api/getFactors') {
      if (!url.searchParams.get('data')) return fail(res, 400, 400, ERR.badRequest, 'Bad request');
      const items = account.factors.map((f) => ({ ...f, factorRole: 'PRIMARY' }));
      return ok(res, { items: options.factorList ? options.factorList(items) : items });
    }

    const body = req.method === 'POST' ? await readJson(req) : undefined;
    if (req.method !== 'POST' || !body) return fail(res, 404, 404, ERR.badRequest, 'Not found');

    switch (url.pathname) {
      case '/api/getFactorId': {
        if (body.factorType !== 'BROWSER' || body.factorData !== '' || body.userId !== account.userId) {
          return fail(res, 400, 400, ERR.badRequest, 'Bad request');
        }
        if (!trustedBrowser()) return fail(res, 200, 400, ERR.untrusted, 'Browser is not trusted');
        return ok(res, { factorId: browserFactorId });
      }
      case '/api/startAuth': {
        if (body.userId !== account.userId) return fail(res, 400, 400, ERR.badRequest, 'Bad request');
        if (body.factorId === browserFactorId) {
          if (body.factorType !== 'BROWSER' || !trustedBrowser() || options.trustLapsesAtStartAuth) return fail(res, 200, 400, ERR.untrusted, 'Browser is not trusted');
          return ok(res, { ...tokenFields(account.userId, true), authCompleted: true });
        }
        const factor = account.factors.find((f) => f.factorId === body.factorId);
        // pyaarlo starts PUSH with an empty factorType, the others as BROWSER.
        if (!factor || body.factorType !== (factor.factorType === 'PUSH' ? '' : 'BROWSER')) {
          return fail(res, 400, 400, ERR.badRequest, 'Bad factor');
        }
        // As hass-aarlo #1106 logged it: meta code 400, error 9261.
        if (options.invalidFactorData) return fail(res, 200, 400, ERR.factorDataInvalid, 'Invalid factor data');
        const factorAuthCode = state.newCode();
        const otp = factor.factorType === 'PUSH' ? undefined : state.newOtp();
        state.pending.set(factorAuthCode, {
          userId: account.userId, deviceId, factorType: factor.factorType, expiresAt: Date.now() + options.codeTtlMs, polls: 0,
          ...(otp ? { otp } : {}),
        });
        if (otp) state.sendCode({ email: account.email, factorType: factor.factorType, code: otp });
        return ok(res, { factorAuthCode });
      }
      case '/api/finishAuth': {
        const pending = typeof body.factorAuthCode === 'string' ? state.pending.get(body.factorAuthCode) : undefined;
        if (!pending || pending.userId !== account.userId || body.isBrowserTrusted !== true) return fail(res, 200, 400, ERR.badRequest, 'Unknown verification');
        if (pending.expiresAt <= Date.now()) return fail(res, 200, 400, ERR.otpExpired, 'Verification code expired');
        if (pending.factorType === 'PUSH') {
          if (body.otp !== undefined) return fail(res, 200, 400, ERR.badRequest, 'Bad request');
          pending.polls++;
          const needed = options.pushApprovals.get(account.email);
          if (needed === undefined || pending.polls < needed) return fail(res, 200, 400, ERR.pushPending, 'Authorization pending');
        } else if (body.otp !== pending.otp) {
          return fail(res, 200, 400, ERR.wrongOtp, 'Invalid verification code');
        }
        state.pending.delete(body.factorAuthCode as string);
        const browserAuthCode = state.newCode();
        state.pairingCodes.set(browserAuthCode, { userId: account.userId, deviceId: pending.deviceId });
        return ok(res, { ...tokenFields(account.userId, true), authCompleted: true, browserAuthCode });
      }
      case '/api/startPairingFactor': {
        const pairing = typeof body.factorAuthCode === 'string' ? state.pairingCodes.get(body.factorAuthCode) : undefined;
        if (!pairing || pairing.userId !== account.userId || pairing.deviceId !== deviceId || body.factorType !== 'BROWSER' || body.factorData !== '') {
          return fail(res, 200, 400, ERR.badRequest, 'Pairing refused');
        }
        state.pairingCodes.delete(body.factorAuthCode as string);
        const value = state.newCode();
        state.trusted.set(value, pairing);
        const cookie = `${trustCookie}=${value}; Path=/; Max-Age=1209600; HttpOnly; Secure; SameSite=None`;
        return ok(res, {}, { 'Set-Cookie': [cookie, 'session_hint=1; Path=/'] });
      }
      default:
        return fail(res, 404, 404, ERR.badRequest, 'Not found');
    }
  };
}
