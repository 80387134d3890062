// The desktop log: electron-log's file (rotated) behind the core's pino logger, so the core logs
// the same way in both shells and its secret redaction still applies.

import log from 'electron-log/main.js';
import { createLogger, type Logger } from '../log.js';

const MAX_LOG_BYTES = 5 * 1024 * 1024;

const PINO_LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };

export function createDesktopLogger(): Logger {
  log.initialize();
  // At 5 MB electron-log moves main.log to main.old.log and starts afresh: one generation kept.
  log.transports.file.maxSize = MAX_LOG_BYTES;
  log.transports.console.level = process.env.ARLO_RTSP_LOG_LEVEL ? 'debug' : false;
  return createLogger({
    destination: {
      write(line: string) {
        let level: 'debug' | 'info' | 'warn' | 'error' = 'info';
        try {
          level = PINO_LEVELS[(JSON.parse(line) as { level?: number }).level ?? 30] ?? 'info';
        } catch {
          // not JSON: keep it as info
        }
        log[level](line.trimEnd());
      },
    },
  });
}

/** Where the log file is, to tell the user. */
export function logFilePath(): string {
  return log.transports.file.getFile().path;
}
