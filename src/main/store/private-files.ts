// Files only this user may read: a 0700 directory, 0600 files, written atomically.
// Atomic = temp file in the same directory, fsync, rename over the target, fsync the directory,
// so a crash or a full disk leaves either the old or the new file, never half of one.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreWriteError } from './errors.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
const TEMP_MARK = '.tmp-';

/** Creates `dir` (0700) or tightens it, tightens every file in it to 0600, drops leftover temp files of a crashed write. */
export async function preparePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(dir, entry.name);
    if (entry.name.includes(TEMP_MARK)) await rm(path, { force: true });
    else if (((await stat(path)).mode & 0o777) !== FILE_MODE) await chmod(path, FILE_MODE);
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
