// `arlo-rtsp login`: sign in interactively (password, factor choice, code or push approval),
// or keep a pasted token with --token.

import type { Command } from 'commander';
import type { SignInStep } from '../../../shared/api.js';
import { ArloError } from '../../arlo/errors.js';
import type { ArloAccount } from '../../arlo/account.js';
import { createPrompter, withAccount, type Prompter } from './account-context.js';
import { formatDateTime } from '../../../shared/dates.js';

const CODE_ATTEMPTS = 3;

export function register(program: Command): void {
  program
    .command('login')
    .description('sign in to Arlo (with email verification, SMS or app approval), or keep a pasted token')
    .option('--email <email>', 'the Arlo account email')
    .option('--token <token>', 'use this token (from a signed-in my.arlo.com session) instead of a password')
    .action(async (options: { email?: string; token?: string }, command: Command) => {
      await withAccount(command, { existing: false }, async (account) => {
        if (options.token) {
          await account.useToken(options.token);
          console.log('Signed in to Arlo with the pasted token.');
          return;
        }
        const prompt = createPrompter();
        try {
          const email = options.email ?? (await prompt.ask('Arlo email: '));
          const password = await prompt.askSecret('Password: ');
          await finish(account, prompt, await account.signIn(email, password));
        } finally {
          prompt.close();
        }
        const view = await account.accountView();
        const until = view.tokenExpiresAt ? ` (sign-in valid until ${formatDateTime(view.tokenExpiresAt)})` : '';
        console.log(`Signed in to Arlo as ${view.email ?? 'you'}${until}.`);
      });
    });
}

async function finish(account: ArloAccount, prompt: Prompter, first: SignInStep): Promise<void> {
  let step = first;
  let attempts = 0;
  for (;;) {
    switch (step.step) {
      case 'signed-in':
        return;
      case 'signed-out':
        throw new ArloError('cancelled', 'The sign-in did not complete: run `arlo-rtsp login` again.');
      case 'choose-factor': {
        step.factors.forEach((f, i) => process.stderr.write(`  ${i + 1}. ${f.factorType} (${f.nickname})\n`));
        const answer = await prompt.ask(`Where should Arlo send the verification [1-${step.factors.length}]? `);
        const factor = step.factors[Number(answer) - 1];
        if (!factor) {
          process.stderr.write('Please answer with one of the numbers shown.\n');
          continue;
        }
        step = await account.chooseFactor(factor.factorId);
        continue;
      }
      case 'enter-code': {
        const code = await prompt.ask(`Verification code sent by ${step.factor.factorType} to ${step.factor.nickname}: `);
        try {
          step = await account.submitMfaCode(code);
        } catch (error) {
          attempts++;
          if (!(error instanceof ArloError) || error.code !== 'wrong-code' || attempts >= CODE_ATTEMPTS) throw error;
          process.stderr.write(`${error.message}\n`);
        }
        continue;
      }
      case 'await-push':
        process.stderr.write(`Approve the sign-in in the Arlo app on ${step.factor.nickname}; waiting…\n`);
        step = await account.waitForPush();
        continue;
    }
  }
}
