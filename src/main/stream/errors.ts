// What can go wrong between us and a base station, as errors a user can act on. Every failure of
// the upstream session ends up here once, so the wording lives in one place.

import type { RtspResponse } from '../rtsp/message.js';
import type { PeerIdentity, Pin } from './identity.js';

export type StreamErrorCode =
  /** The base station refused our client certificate at the TLS handshake: enroll again. */
  | 'certificate-rejected'
  /** The base station presented a certificate other than the one pinned on first use. */
  | 'fingerprint-changed'
  /** Nothing answered at the address, or it did not answer in time. */
  | 'unreachable'
  | 'timeout'
  /** The base station's stream limits: one per camera, five per base station. */
  | 'busy'
  /** 400 after a request: the base station's answer to a wrong Nonce. */
  | 'nonce-rejected'
  | 'not-found'
  /** The connection was cut during the TLS handshake: a refusal, or a glitch (the second in a row counts as refusal). */
  | 'handshake-reset'
  /** The base station answered 401/403: it may still be setting up our certificate, so it is retried. */
  | 'refused'
  /** The base station closed the connection. */
  | 'closed'
  | 'protocol';

export class StreamError extends Error {
  override readonly name = 'StreamError';
  /** The RTSP status of the answer this error reports, when it reports one. */
  readonly status: number | undefined;
  constructor(readonly code: StreamErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/**
 * TLS alerts a server sends when it does not accept the client's certificate (RFC 5246 §7.2.2):
 * bad_certificate, unknown_ca, certificate_revoked/expired/unknown, access_denied. Nothing else
 * (a handshake_failure over ciphers, a decrypt_error) says the certificate is the problem.
 */
const CERTIFICATE_ALERT = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_(REVOKED|EXPIRED|UNKNOWN)|ACCESS_DENIED)/;
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * A socket or TLS error on the connection to `where` (`host:port`), classified. `inHandshake`: TCP
 * is up but TLS is not; a base station that cuts the connection then (instead of sending an
 * alert, as a Node TLS server does) may be refusing our certificate, or may have glitched: the
 * lifecycle counts it as a refusal only the second time in a row.
 */
export function connectionError(error: unknown, where: string, inHandshake = false): StreamError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (CERTIFICATE_ALERT.test(code)) {
    return new StreamError(
      'certificate-rejected',
      `the base station at ${where} refused our certificate (${detail}): enroll this base station again`,
      { cause: error },
    );
  }
  if (inHandshake && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return new StreamError(
      'handshake-reset',
      `the base station at ${where} closed the connection during the TLS handshake (${detail}), as it does when it refuses our certificate: if this repeats, enroll this base station again`,
      { cause: error },
    );
  }
  if (UNREACHABLE.has(code)) {
    return new StreamError(
      'unreachable',
      `cannot reach the base station at ${where} (${code}): check its address and that this computer is on the same network`,
      { cause: error },
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return closedByBaseStation(where);
  return new StreamError('closed', `the connection to the base station at ${where} failed: ${detail}`, { cause: error });
}

/** A handshake cut twice in a row (the lifecycle's verdict on two `handshake-reset` failures). */
export function certificateRefusedByResets(): string {
  return 'the base station refused our certificate (it closed the connection during the TLS handshake twice in a row): enroll this base station again';
}

export function connectTimeout(where: string, ms: number): StreamError {
  return new StreamError(
    'unreachable',
    `no answer from the base station at ${where} within ${ms / 1000} s: check its address and that it is powered on`,
  );
}

export function responseTimeout(where: string, method: string, ms: number): StreamError {
  return new StreamError('timeout', `the base station at ${where} did not answer ${method} within ${ms / 1000} s`);
}

/** What to do about a refused identity, wherever it is reported. */
export const FORGET_PIN_ADVICE =
  'If you replaced or reset the base station, forget its pinned certificate ("Forget pinned certificate" on the Base stations page, ' +
  'or "arlo-rtsp basestation forget-pin ID"); otherwise another device may be answering at this address: check it first.';

/** What differs between the pin and what the base station at `where` presented (without the advice). */
export function identityMismatch(where: string, pin: Pin, presented: PeerIdentity | undefined): string {
  const what = pin.key !== undefined
    ? `presented a different key than the one pinned (key SHA-256 ${pin.key}, now ${presented?.key ?? 'none'}), so it is not the same base station`
    : `presented a different certificate than the one pinned (${pin.fingerprint ?? 'none'}, now ${presented?.fingerprint ?? 'none'}); ` +
      'the pin is from a version that did not pin the key, so a renewed certificate cannot be told from another device';
  return `the base station at ${where} ${what}`;
}

export function fingerprintChanged(where: string, pin: Pin, presented: PeerIdentity | undefined): StreamError {
  return new StreamError('fingerprint-changed', `${identityMismatch(where, pin, presented)}. ${FORGET_PIN_ADVICE}`);
}

/**
 * A 3xx answer with a `Location` during set-up: FFmpeg starts over at that URL, and so does
 * `UpstreamSession.open`, on a new connection that must present `identity` (the key of the base
 * station that redirected).
 */
export class Redirected extends StreamError {
  constructor(
    where: string,
    method: string,
    readonly location: string,
    readonly identity: PeerIdentity | undefined,
  ) {
    super('protocol', `the base station at ${where} redirected ${method} to ${location}`);
  }
}

export function redirectedToStranger(where: string, from: string): StreamError {
  return new StreamError(
    'fingerprint-changed',
    `the base station at ${from} redirected to ${where}, which presented another key: not followed (it is not the same base station)`,
  );
}

export function closedByBaseStation(where: string): StreamError {
  return new StreamError('closed', `the base station at ${where} closed the stream`);
}

/** A non-2xx answer to one of our requests. */
export function responseError(where: string, method: string, response: RtspResponse): StreamError {
  const status = `${response.status} ${response.reason}`.trim();
  const answered = { status: response.status };
  switch (response.status) {
    case 400:
      return new StreamError(
        'nonce-rejected',
        `the base station at ${where} rejected ${method} (${status}), which it does when the Nonce sequence is wrong; the stream will be retried`,
        answered,
      );
    case 401:
    case 403:
      // Not a certificate verdict (that is the TLS handshake's): retried with backoff.
      return new StreamError('refused', `the base station at ${where} refused ${method} (${status}); if this persists, enroll this base station again`, answered);
    case 404:
      return new StreamError(
        'not-found',
        `the base station at ${where} does not serve this camera with this codec (${status}): refresh the device list or choose the other codec`,
        answered,
      );
    case 453:
    case 486:
    case 503:
      return new StreamError(
        'busy',
        `another app is streaming this camera (the Arlo app's live view, another copy of this app, Scrypted...) ` +
          `or five cameras of this base station are streaming already: the base station at ${where} answered ${status}`,
        answered,
      );
    default:
      return new StreamError('protocol', `the base station at ${where} answered ${method} with ${status}`, answered);
  }
}
