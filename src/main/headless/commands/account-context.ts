// What the account commands (login, devices, enroll, doctor) share: the data store from the global
// --data-dir (passphrase from ARLO_RTSP_PASSPHRASE), an ArloAccount that is always closed, and
// line prompts that work on a terminal (password unechoed) and on piped stdin alike.

import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ArloAccount } from '../../arlo/account.js';
import { createLogger } from '../../log.js';
import { openDataStore } from '../../store/data-store.js';
import type { DataStore } from '../../store/types.js';

/** `existing`: the command reads what a sign-in stored, so a data dir without settings is refused, not created. */
export async function withAccount<T>(
  command: Command,
  options: { existing: boolean },
  run: (account: ArloAccount, store: DataStore) => Promise<T>,
): Promise<T> {
  const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
  const log = createLogger({ level: process.env.ARLO_RTSP_LOG_LEVEL ?? 'warn' });
  const store = await openDataStore(dataDir, { logger: log, existing: options.existing });
  const account = new ArloAccount(store, log);
  try {
    return await run(account, store);
  } finally {
    await account.close();
  }
}

export interface Prompter {
  ask(question: string): Promise<string>;
  /** Asks without echoing what is typed (on a terminal). */
  askSecret(question: string): Promise<string>;
  close(): void;
}

export function createPrompter(): Prompter {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  // Iterating buffers lines that arrive before they are asked for (piped answers).
  const lines = rl[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('No answer on standard input: run the command on a terminal or pipe the answers.');
    return line.value.trim();
  };
  return {
    async ask(question) {
      process.stderr.write(question);
      return next();
    },
    async askSecret(question) {
      process.stderr.write(question);
      muted = true;
      try {
        return await next();
      } finally {
        muted = false;
        // The Enter was not echoed either.
        process.stderr.write('\n');
      }
    },
    close: () => rl.close(),
  };
}
