// The desktop log's policy, apart from electron-log (which needs Electron to load): how the file
// rotates, and the core's pino logger writing through electron-log's level methods, so the core's
// secret redaction applies to the desktop log too.

import type { FileTransport } from 'electron-log';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { parse, join } from 'node:path';
import { createLogger, type Logger } from '../log.js';

/** Past 5 MiB the file is rotated; 3 older files are kept (main.1.log newest), so at most 20 MiB. */
export const LOG_ROTATION = { maxBytes: 5 * 1024 * 1024, keptFiles: 3 } as const;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The core's logger with every line handed to `write` at its electron-log level. */
export function createRedactingLogger(write: (level: LogLevel, line: string) => void): Logger {
  return createLogger({
    destination: {
      write(line: string) {
        let level: LogLevel = 'info';
        try {
          level = PINO_LEVELS[(JSON.parse(line) as { level?: number }).level ?? 30] ?? 'info';
        } catch {
          // not JSON: keep it as info
        }
        write(level, line.trimEnd());
      },
    },
  });
}

/** Sets electron-log's file transport to rotate by LOG_ROTATION. */
export function configureLogRotation(file: FileTransport): void {
  file.maxSize = LOG_ROTATION.maxBytes;
  file.archiveLogFn = (old) => {
    // A file that cannot be renamed (held open elsewhere on Windows) is emptied rather than left to grow.
    if (!rotateLogFile(old.path)) old.clear();
  };
}

/**
 * Shifts `main.log` to `main.1.log`, `main.1.log` to `main.2.log`, ... dropping the oldest beyond
 * `keptFiles`. Returns false if a rename failed.
 */
export function rotateLogFile(path: string, keptFiles: number = LOG_ROTATION.keptFiles): boolean {
  const { dir, name, ext } = parse(path);
  const generation = (n: number) => join(dir, `${name}.${n}${ext}`);
  try {
    rmSync(generation(keptFiles), { force: true });
    for (let n = keptFiles - 1; n >= 1; n--) {
      if (existsSync(generation(n))) renameSync(generation(n), generation(n + 1));
    }
    renameSync(path, generation(1));
    return true;
  } catch {
    return false;
  }
}

const PINO_LEVELS: Record<number, LogLevel> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };
