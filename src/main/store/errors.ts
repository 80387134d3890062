// Typed failures of the store. Each message names the file and what the user can do, because
// these reach the user verbatim (CLI stderr, the desktop's error dialog): hence AppError.

import { AppError } from '../errors.js';

/** settings.json could not be parsed or failed the schema; it was moved to `keptAs`. */
export class CorruptDataError extends AppError {
  override readonly name = 'CorruptDataError';
  constructor(
    readonly file: string,
    readonly keptAs: string,
    readonly reason: string,
  ) {
    super(
      'corrupt-data',
      `${file} is unreadable (${reason}); it was kept as ${keptAs}. ` +
        'Restore it from there or start fresh with new settings.',
    );
  }
}

/** The file was written by a newer release; it is left untouched. */
export class DataVersionError extends AppError {
  override readonly name = 'DataVersionError';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      'data-version',
      `${file} has format version ${found}, but this release of Arlo Local RTSP reads up to ${supported}. ` +
        'Update Arlo Local RTSP; the file was left untouched.',
    );
  }
}

/** Throws `DataVersionError` when parsed JSON carries a format version above `supported`. */
export function checkVersion(file: string, json: unknown, supported: number): void {
  const version = typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version > supported) throw new DataVersionError(file, version, supported);
}

/** The data directory given holds files of something else: it is left untouched. */
export class ForeignDirectoryError extends AppError {
  override readonly name = 'ForeignDirectoryError';
  constructor(readonly dir: string) {
    super(
      'foreign-data-dir',
      `${dir} is not empty and holds no Arlo Local RTSP data: choose an empty or new folder for --data-dir (nothing in it was changed).`,
    );
  }
}

/** A command that reads what an earlier sign-in stored was pointed at a folder holding none: nothing was created. */
export class NoDataError extends AppError {
  override readonly name = 'NoDataError';
  constructor(readonly dir: string) {
    super(
      'no-data',
      `${dir} holds no Arlo Local RTSP data yet: sign in first with "arlo-rtsp --data-dir ${dir} login" ` +
        '(or give the --data-dir you signed in with). Nothing was created.',
    );
  }
}

/**
 * The folder was made by `arlo-rtsp demo`: its sign-in, certificate and base station belong to the
 * demo's simulated cloud, so nothing but the demo may use it (the real Arlo hosts would get the
 * simulated token, mDNS would multicast for a base station that is not on the network).
 */
export class DemoDataDirError extends AppError {
  override readonly name = 'DemoDataDirError';
  constructor(readonly dir: string) {
    super(
      'demo-data-dir',
      `${dir} belongs to the demo: its Arlo cloud and base station are simulated and exist only while the demo runs. ` +
        `Run "arlo-rtsp demo --data-dir ${dir}" to use it (the web UI's Diagnose checks it there), or give another --data-dir for your own Arlo account.`,
    );
  }
}

/** The passphrase given does not decrypt the secrets file (or none was given for an encrypted one). */
export class SecretsLockedError extends AppError {
  override readonly name = 'SecretsLockedError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('secrets-locked', message);
  }
}

/** Writing a file failed; the previous version of the file is intact. */
export class StoreWriteError extends AppError {
  override readonly name = 'StoreWriteError';
  constructor(
    readonly file: string,
    /** The errno code (ENOSPC, EACCES, ...), if the failure had one. */
    readonly errno: string | undefined,
    cause: unknown,
  ) {
    super(
      'store-write',
      `could not save ${file}${errno ? ` (${errno}${hintFor(errno)})` : ''}; the previous version is kept. ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

function hintFor(code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return ': the disk is full or a size limit was hit';
  if (code === 'EACCES' || code === 'EPERM') return ': no permission to write there';
  if (code === 'EROFS') return ': the file system is read-only';
  return '';
}
