// Every failure of the Arlo cloud, sign-in or enrollment reaches callers as one `ArloError`:
// a machine-readable `code` for the UI and a message a user can act on. Messages never carry a
// token, password, code or key, and never a stack.

import { AppError } from '../errors.js';

export type ArloErrorCode =
  | 'token-expired'
  | 'wrong-password'
  | 'wrong-code'
  | 'code-expired'
  | 'not-owner'
  | 'bot-protection'
  | 'network'
  | 'push-timeout'
  | 'cancelled'
  | 'certificate-rejected'
  | 'untrusted-browser'
  | 'factor-refused'
  | 'unexpected';

// An AppError, so transports (web, IPC) pass its code and message to the user.
export class ArloError extends AppError {
  override readonly name = 'ArloError';
  declare readonly code: ArloErrorCode;

  constructor(code: ArloErrorCode, message: string) {
    super(code, message);
  }
}

/** The standard sentences, so the CLI, the UI and the tests say the same thing. */
export const ARLO_MESSAGES = {
  tokenExpired: 'Your Arlo sign-in has expired: sign in again or paste a new token.',
  wrongPassword: 'Arlo refused this email and password: check them and try again.',
  wrongCode: 'That verification code is not correct: check it and enter it again.',
  codeExpired: 'That verification code has expired: start the sign-in again to get a new one.',
  notOwner:
    "This account is shared with you; certificates can only be created by the owner account: sign in with the owner's email.",
  /** What to do depends on the network stack the refused call went over (transport.ts). */
  botProtection: {
    node: "Arlo's bot protection refused this app (it answers scripts, which this command is to it, with \"too many requests\" or a block page): paste a token instead (the Authorization value of a signed-in my.arlo.com session, see README), or sign in from the desktop app, which uses a browser's network stack.",
    chromium: "Arlo's bot protection refused the sign-in although this app uses a browser's network stack: wait a few minutes before trying again (attempts close together look automated), or paste a token instead (the Authorization value of a signed-in my.arlo.com session, see README).",
  },
  untrustedBrowser:
    "Arlo no longer trusts this computer (error 9204, \"Browser is not trusted\"): its trust lapses after about two weeks, or when Arlo's trusted devices were cleared. Start the sign-in again and enter the verification code: the app then asks Arlo to trust this computer again.",
  factorRefused:
    "Arlo refused the verification method (error 9261, \"Invalid factor data\"): the account's two-step settings and what Arlo offered are out of step. Start the sign-in again and choose another method (email rather than SMS or push); if it keeps happening, turn two-step verification off and on in the Arlo app, remove old trusted devices, then sign in again.",
  pushTimeout: 'The sign-in request was not approved in the Arlo app in time: start the sign-in again.',
  cancelled: 'Sign-in cancelled.',
} as const;

/** Wraps anything thrown into an ArloError without leaking its text (it may quote a request). */
export function asArloError(error: unknown, what: string): ArloError {
  if (error instanceof ArloError) return error;
  return new ArloError('unexpected', `${what} failed unexpectedly: try again, and report it if it keeps happening.`);
}
