// What can go wrong between us and a base station, as errors a user can act on. Every failure of
// the upstream session ends up here once, so the wording lives in one place.

import type { RtspResponse } from '../rtsp/message.js';

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
  /** The base station closed the connection. */
  | 'closed'
  | 'protocol';

export class StreamError extends Error {
  override readonly name = 'StreamError';
  constructor(readonly code: StreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** TLS alerts a server sends when it does not accept the client's certificate. */
const CERTIFICATE_ALERT = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_[A-Z_]+|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE|DECRYPT_ERROR)/;
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * A socket or TLS error on the connection to `where` (`host:port`), classified. `inHandshake`: TCP
 * is up but TLS is not; a base station that cuts the connection then (instead of sending an
 * alert, as a Node TLS server does) is refusing our certificate too.
 */
export function connectionError(error: unknown, where: string, inHandshake = false): StreamError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (CERTIFICATE_ALERT.test(code) || (inHandshake && (code === 'ECONNRESET' || code === 'EPIPE'))) {
    return new StreamError(
      'certificate-rejected',
      `the base station at ${where} refused our certificate (${detail}): enroll this base station again`,
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

export function connectTimeout(where: string, ms: number): StreamError {
  return new StreamError(
    'unreachable',
    `no answer from the base station at ${where} within ${ms / 1000} s: check its address and that it is powered on`,
  );
}

export function responseTimeout(where: string, method: string, ms: number): StreamError {
  return new StreamError('timeout', `the base station at ${where} did not answer ${method} within ${ms / 1000} s`);
}

export function fingerprintChanged(where: string, pinned: string, presented: string): StreamError {
  return new StreamError(
    'fingerprint-changed',
    `the base station at ${where} presented a different certificate than before (pinned ${pinned}, now ${presented}): ` +
      'if you replaced or reset the base station, forget its pinned certificate; otherwise another device may be answering at this address',
  );
}

export function closedByBaseStation(where: string): StreamError {
  return new StreamError('closed', `the base station at ${where} closed the stream`);
}

/** A non-2xx answer to one of our requests. */
export function responseError(where: string, method: string, response: RtspResponse): StreamError {
  const status = `${response.status} ${response.reason}`.trim();
  switch (response.status) {
    case 400:
      return new StreamError(
        'nonce-rejected',
        `the base station at ${where} rejected ${method} (${status}), which it does when the Nonce sequence is wrong; the stream will be retried`,
      );
    case 401:
    case 403:
      return new StreamError('certificate-rejected', `the base station at ${where} refused ${method} (${status}): enroll this base station again`);
    case 404:
      return new StreamError(
        'not-found',
        `the base station at ${where} does not serve this camera with this codec (${status}): refresh the device list or choose the other codec`,
      );
    case 453:
    case 486:
    case 503:
      return new StreamError(
        'busy',
        `the base station at ${where} refused the stream (${status}): it allows one stream per camera and five per base station; ` +
          'another app may be streaming this camera, or five cameras of this base station are already streaming',
      );
    default:
      return new StreamError('protocol', `the base station at ${where} answered ${method} with ${status}`);
  }
}
