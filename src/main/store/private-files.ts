// Files only this user may read: a 0700 directory, 0600 files, written atomically.
// Atomic = temp file in the same directory, fsync, rename over the target, fsync the directory,
// so a crash or a full disk leaves either the old or the new file, never half of one.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ForeignDirectoryError, StoreWriteError } from './errors.js';
import { KEPT_ASIDE_MARK } from './keep-aside.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const TEMP_MARK = '.tmp-';
/** Written into every data directory we create or adopt, so a later start knows the folder is ours. */
export const MARKER_FILE = '.arlo-local-rtsp';

export interface PrepareOptions {
  /** The files we write in `dir`; their temp files and kept-aside copies are ours too. Nothing else is touched. */
  ownFiles: readonly string[];
  /**
   * The directory also holds the shell's own files (Electron's userData): adopted even when not
   * empty. Otherwise a non-empty folder without our marker or settings is refused.
   */
  shared?: boolean;
}

/**
 * Creates `dir` (0700) or tightens it, tightens our files in it to 0600 and drops the temp files of
 * a crashed write of ours. A folder that is not empty and not ours is refused untouched.
 */
export async function preparePrivateDir(dir: string, options: PrepareOptions): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const entries = await readdir(dir, { withFileTypes: true });
  const ours = entries.some((e) => e.name === MARKER_FILE || options.ownFiles.includes(e.name));
  if (!ours && entries.length > 0 && !options.shared) throw new ForeignDirectoryError(dir);
  await chmod(dir, DIR_MODE);
  const own = (name: string) => options.ownFiles.some((file) => name === file || name.startsWith(`${file}${TEMP_MARK}`) || name.startsWith(`${file}${KEPT_ASIDE_MARK}`));
  for (const entry of entries) {
    if (!entry.isFile() || !own(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.name.includes(TEMP_MARK)) await rm(path, { force: true });
    else if (((await stat(path)).mode & 0o777) !== FILE_MODE) await chmod(path, FILE_MODE);
  }
  if (!entries.some((e) => e.name === MARKER_FILE)) {
    await writePrivateFile(join(dir, MARKER_FILE), 'This folder holds the settings and secrets of Arlo Local RTSP.\n');
  }
}

/** Replaces `path` with `content` atomically (0600); on failure the old file is intact and a `StoreWriteError` is thrown. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `${basename(path)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new StoreWriteError(path, (error as NodeJS.ErrnoException).code, error);
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Windows cannot open a directory for fsync; there the rename is all we get.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
