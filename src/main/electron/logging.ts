// The desktop log: electron-log's file, rotated by log-file.ts, behind the core's pino logger, so
// the core logs the same way in both shells and its secret redaction still applies. electron-log's
// Node flavour, not its main-process one: that one listens on an IPC channel of its own and, once
// initialized, injects a preload into every frame, so a page could write raw lines to the log past
// our IPC sender checks and the redaction. The file goes where Electron keeps app logs.

import log from 'electron-log/node.js';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { configureLogRotation, createRedactingLogger } from './log-file.js';

export function createDesktopLogger(logsDir: string): Logger {
  log.transports.file.resolvePathFn = () => join(logsDir, 'main.log');
  configureLogRotation(log.transports.file);
  log.transports.console.level = process.env.ARLO_RTSP_LOG_LEVEL ? 'debug' : false;
  return createRedactingLogger((level, line) => log[level](line));
}

/** Where the log file is, to tell the user. */
export function logFilePath(): string {
  return log.transports.file.getFile().path;
}
