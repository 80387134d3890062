// Moves an unreadable file out of the way without deleting it, so nothing a user had is lost.

import { rename } from 'node:fs/promises';

/** What follows a file's name in the name of its kept-aside copy. */
export const KEPT_ASIDE_MARK = '.corrupt-';

/** Renames `path` to `<path>.corrupt-<timestamp>` and returns the new name. */
export async function keepAside(path: string): Promise<string> {
  const keptAs = `${path}${KEPT_ASIDE_MARK}${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, keptAs);
  return keptAs;
}
