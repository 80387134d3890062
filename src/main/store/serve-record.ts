// Which running `arlo-rtsp serve` (or demo) uses a data directory: serve writes serve.json at
// start and removes it at stop, so another command on the same folder (doctor) knows that this
// app's own server holds the cameras' base-station sessions, and where to ask it. One left by a
// crash names a process that is gone and is ignored.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from './private-files.js';

export const SERVE_RECORD_FILE = 'serve.json';

export interface ServeRecord {
  pid: number;
  /** Where its HTTP API answers on this machine, e.g. `http://127.0.0.1:8555`. */
  webUrl: string;
}

/** Writes the record for this process; answers the function that removes it. */
export async function recordServe(dir: string, webUrl: string): Promise<() => Promise<void>> {
  const path = join(dir, SERVE_RECORD_FILE);
  await writePrivateFile(path, `${JSON.stringify({ pid: process.pid, webUrl } satisfies ServeRecord)}\n`);
  return () => rm(path, { force: true });
}

/** The serve that uses `dir` now (another process than this one), or undefined. */
export async function runningServe(dir: string): Promise<ServeRecord | undefined> {
  let record: Partial<ServeRecord>;
  try {
    record = JSON.parse(await readFile(join(dir, SERVE_RECORD_FILE), 'utf8')) as Partial<ServeRecord>;
  } catch {
    return undefined;
  }
  const { pid, webUrl } = record;
  if (typeof pid !== 'number' || typeof webUrl !== 'string' || pid === process.pid || !alive(pid)) return undefined;
  return { pid, webUrl };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
