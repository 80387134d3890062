// What the simulated base station counts, for tests and benchmarks to assert on.

export interface SimRequestRecord {
  method: string;
  uri: string;
  /** The Nonce header as received (absent: undefined). */
  nonce: string | undefined;
  /** 0 when the request was not answered (the `keepAliveAnswer: 'never'` quirk). */
  status: number;
}

export interface SimBaseStationStats {
  /** TCP connections accepted (before TLS). */
  connections: number;
  /** TLS handshakes that failed: unknown or revoked client certificate, no certificate, protocol errors. */
  tlsRejected: number;
  /** The last handshake failure's reason (e.g. `CERT_REVOKED`, `UNABLE_TO_GET_ISSUER_CERT`). */
  lastTlsError: string | undefined;
  sessionsOpened: number;
  activeSessions: number;
  nonceViolations: number;
  /** The latest requests, oldest first, at most `REQUEST_LOG_LIMIT`. */
  requests: SimRequestRecord[];
  teardowns: number;
  /** TEARDOWNs that carried the right Nonce (the others were refused with 400). */
  teardownsWithValidNonce: number;
  sessionTimeouts: number;
  /** Bytes written to clients: responses and interleaved media. */
  bytesSent: number;
  /** Media frames (video pictures or audio frames) dropped because a client was not reading. */
  framesDropped: number;
  /** 2xx answers from clients to the base station's own requests (the `asksClientMs` quirk). */
  clientAnswers: number;
}

export const REQUEST_LOG_LIMIT = 1000;

export function emptyStats(): SimBaseStationStats {
  return {
    connections: 0,
    tlsRejected: 0,
    lastTlsError: undefined,
    sessionsOpened: 0,
    activeSessions: 0,
    nonceViolations: 0,
    requests: [],
    teardowns: 0,
    teardownsWithValidNonce: 0,
    sessionTimeouts: 0,
    bytesSent: 0,
    framesDropped: 0,
    clientAnswers: 0,
  };
}

export function recordRequest(stats: SimBaseStationStats, entry: SimRequestRecord): void {
  stats.requests.push(entry);
  if (stats.requests.length > REQUEST_LOG_LIMIT) stats.requests.splice(0, stats.requests.length - REQUEST_LOG_LIMIT);
}
