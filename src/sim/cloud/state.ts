// What the simulated cloud remembers: tokens (pre-MFA and full, with expiry), pending
// verifications, trusted browsers, the codes it "sent", and every certificate it issued.

import { randomBytes, randomInt } from 'node:crypto';
import type { SimAccount, SimFactorType } from './fixtures.js';

export interface TokenRecord {
  userId: string;
  /** A token from /api/auth before MFA works only on the sign-in host. */
  full: boolean;
  expiresAt: number;
  /** GET /hmsweb/users/session/v3 was called with this token. */
  sessionStarted?: boolean;
}

export interface PendingVerification {
  userId: string;
  deviceId: string;
  factorType: SimFactorType;
  otp?: string;
  expiresAt: number;
  polls: number;
}

export interface IssuedRecord {
  uuid: string;
  uniqueId: string;
  serial: string;
  userId: string;
  /** The `xcloudId` header the request carried (pyaarlo sends the base station's), if any. */
  xcloudId?: string;
}

/** A request as the simulated cloud received it. */
export interface SimRequest {
  host: 'auth' | 'api';
  method: string;
  path: string;
  /** The query string, without `?` (empty when none). */
  query: string;
  /** It carried an Authorization header. */
  authorized: boolean;
  /** The headers of `RECORDED_HEADERS` it carried, by lower-case name. */
  headers: Record<string, string>;
}

/** Headers worth a test's look that carry no secret (the token and cookies never are kept). */
export const RECORDED_HEADERS = ['x-user-device-id', 'x-forwarded-user', 'xcloudid', 'origin', 'referer', 'user-agent'] as const;

export interface SentCode {
  email: string;
  factorType: SimFactorType;
  code: string;
}

/** One request as the simulated cloud received it (no secret: whether it was authorized, not with what). */
export class CloudState {
  readonly tokens = new Map<string, TokenRecord>();
  readonly pending = new Map<string, PendingVerification>();
  /** browserAuthCode → who may pair with it. */
  readonly pairingCodes = new Map<string, { userId: string; deviceId: string }>();
  /** trust cookie value → the browser it trusts. */
  readonly trusted = new Map<string, { userId: string; deviceId: string }>();
  readonly sent: SentCode[] = [];
  readonly issued: IssuedRecord[] = [];
  readonly requests: SimRequest[] = [];

  constructor(
    readonly accounts: SimAccount[],
    private readonly tokenTtlMs: number,
    private readonly onCodeSent?: (sent: SentCode) => void,
  ) {}

  /** "Sends" a verification code: kept for `lastCode`, and told to whoever plays the user's inbox. */
  sendCode(sent: SentCode): void {
    this.sent.push(sent);
    this.onCodeSent?.(sent);
  }

  issueToken(userId: string, full: boolean): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { userId, full, expiresAt: Date.now() + this.tokenTtlMs });
    return { token, expiresIn: Math.max(1, Math.ceil(this.tokenTtlMs / 1000)) };
  }

  /** The live token record, or undefined when unknown or expired. */
  token(token: string | undefined): TokenRecord | undefined {
    const record = token === undefined ? undefined : this.tokens.get(token);
    return record && record.expiresAt > Date.now() ? record : undefined;
  }

  account(userId: string): SimAccount | undefined {
    return this.accounts.find((a) => a.userId === userId);
  }

  newOtp(): string {
    return String(randomInt(0, 1_000_000)).padStart(6, '0');
  }

  newCode(): string {
    return randomBytes(16).toString('hex');
  }
}
