// The core's logger. pino for structured, leveled output; every field that could hold a secret is
// redacted by name wherever it appears, so a careless `log.info({ token })` cannot leak it.
// Shells choose the destination (stderr headless, electron-log's file on the desktop).

import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Field names never written out, at any depth we log. Not `code`: that name carries error codes
 * support needs; a verification code is logged by no one and travels as `otp`.
 */
export const SECRET_FIELDS = [
  'token', 'password', 'privateKey', 'privateKeyPem', 'key', 'authorization', 'Authorization',
  'otp', 'factorAuthCode', 'browserAuthCode', 'passphrase', 'lanPassword', 'accessToken', 'secret',
];

const redactPaths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.ARLO_RTSP_LOG_LEVEL ?? 'info';
  return pino(
    { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: undefined },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that discards everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
