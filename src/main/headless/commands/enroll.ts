// `arlo-rtsp enroll`: get a client certificate from Arlo for each base station that needs one.

import type { Command } from 'commander';
import { withAccount } from './account-context.js';

export function register(program: Command): void {
  program
    .command('enroll')
    .description('create the client certificates the base stations accept (owner account only)')
    .option('--token <token>', 'sign in with this token first')
    .option('--basestation <id...>', 'only these base stations (default: all)')
    .action(async (options: { token?: string; basestation?: string[] }, command: Command) => {
      await withAccount(command, { existing: options.token === undefined }, async (account) => {
        if (options.token) await account.useToken(options.token);
        const outcomes = await account.enroll(options.basestation);
        for (const outcome of outcomes) console.log(`${outcome.result}: ${outcome.message}`);
        if (outcomes.length === 0) console.log('No base stations on this Arlo account.');
        const failed = outcomes.filter((o) => o.result === 'failed');
        if (failed.length > 0) {
          throw new Error(`${failed.length} of ${outcomes.length} base station(s) could not be enrolled (see above).`);
        }
      });
    });
}
