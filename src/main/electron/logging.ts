// The desktop log: electron-log's file, rotated by log-file.ts, behind the core's pino logger, so
// the core logs the same way in both shells and its secret redaction still applies.

import log from 'electron-log/main.js';
import type { Logger } from '../log.js';
import { configureLogRotation, createRedactingLogger } from './log-file.js';

export function createDesktopLogger(): Logger {
  log.initialize();
  configureLogRotation(log.transports.file);
  log.transports.console.level = process.env.ARLO_RTSP_LOG_LEVEL ? 'debug' : false;
  return createRedactingLogger((level, line) => log[level](line));
}

/** Where the log file is, to tell the user. */
export function logFilePath(): string {
  return log.transports.file.getFile().path;
}
