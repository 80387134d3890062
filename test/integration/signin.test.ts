// Sign-in against the simulated Arlo cloud over real HTTP: every MFA kind, wrong and expired codes,
// a PUSH nobody approves, trusted-device pairing that skips MFA next time, a pasted token,
// wrong password and bot protection.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArloAccount } from '../../src/main/arlo/account.js';
import { ARLO_MESSAGES, ArloError } from '../../src/main/arlo/errors.js';
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { DataStore } from '../../src/main/store/types.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';

let cloud: SimCloud;
const dirs: string[] = [];
const accounts: ArloAccount[] = [];

before(async () => {
  cloud = await startSimCloud({ codeTtlMs: 1500, pushApprovedAfterPolls: 3 });
});
after(async () => {
  await Promise.all(accounts.map((a) => a.close()));
  await cloud.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fresh(dir?: string): Promise<{ account: ArloAccount; store: DataStore; dir: string }> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'arlo-signin-')));
  if (!dir) dirs.push(where);
  const store = await openDataStore(where, { passphrase: 'test passphrase' });
  const account = new ArloAccount(store, silentLogger, {
    endpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl },
    pushPollMs: 50,
    pushTimeoutMs: 600,
  });
  accounts.push(account);
  return { account, store, dir: where };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ArloError> {
  const error = await promise.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(error instanceof ArloError, `expected ArloError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('sign-in', () => {
  it('signs in without MFA and keeps the token and its expiry', async () => {
    const { account, store } = await fresh();
    const step = await account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    assert.deepEqual(step, { step: 'signed-in' });
    const token = await store.secrets.get('arloToken');
    assert.ok(token && token.length > 20);
    const view = await account.accountView();
    assert.equal(view.signedIn, true);
    assert.equal(view.userId, cloud.accounts.owner.userId);
    assert.equal(view.tokenExpired, false);
    assert.ok(view.tokenExpiresAt && view.tokenExpiresAt > Date.now() + 60 * 60 * 1000);
    assert.equal(view.tokenExpired, false);
    assert.ok((await account.refreshDevices()).baseStations.length === 1);
  });

  it('refuses a wrong password with its own message', async () => {
    const { account, store } = await fresh();
    const error = await rejectsWith(account.signIn(cloud.accounts.owner.email, 'nope'), 'wrong-password');
    assert.match(error.message, /email and password/);
    assert.equal(await store.secrets.get('arloToken'), undefined);
  });

  it('lets the user choose between EMAIL and SMS, rejects a wrong code, accepts the right one', async () => {
    const { account } = await fresh();
    const { mfa } = cloud.accounts;
    const step = await account.signIn(mfa.email, mfa.password);
    assert.equal(step.step, 'choose-factor');
    assert.ok(step.step === 'choose-factor');
    assert.deepEqual(step.factors.map((f) => f.factorType), ['EMAIL', 'SMS']);
    const sms = step.factors.find((f) => f.factorType === 'SMS');
    assert.ok(sms);
    const enter = await account.chooseFactor(sms.factorId);
    assert.equal(enter.step, 'enter-code');
    const code = cloud.lastCode(mfa.email);
    assert.ok(code);
    const wrong = code === '000000' ? '111111' : '000000';
    await rejectsWith(account.submitMfaCode(wrong), 'wrong-code');
    assert.equal(account.signInStep.step, 'enter-code', 'a wrong code may be typed again');
    assert.deepEqual(await account.submitMfaCode(code), { step: 'signed-in' });
    assert.equal((await account.accountView()).email, mfa.email);
  });

  it('says when a code has expired', async () => {
    const { account } = await fresh();
    const { email } = cloud.accounts;
    assert.equal((await account.signIn(email.email, email.password)).step, 'enter-code');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const error = await rejectsWith(account.submitMfaCode(cloud.lastCode(email.email) ?? ''), 'code-expired');
    assert.match(error.message, /expired/);
    assert.equal(account.signInStep.step, 'signed-out');
  });

  it('waits for a PUSH approval', async () => {
    const { account, store } = await fresh();
    const { push } = cloud.accounts;
    const step = await account.signIn(push.email, push.password);
    assert.equal(step.step, 'await-push');
    assert.deepEqual(await account.waitForPush(), { step: 'signed-in' });
    assert.ok(await store.secrets.get('arloToken'));
  });

  it('gives up on a PUSH nobody approves, and can be cancelled', async () => {
    const { account, store } = await fresh();
    const { pushNever } = cloud.accounts;
    assert.equal((await account.signIn(pushNever.email, pushNever.password)).step, 'await-push');
    const started = Date.now();
    await rejectsWith(account.waitForPush(), 'push-timeout');
    assert.ok(Date.now() - started < 2000);
    assert.equal(account.signInStep.step, 'signed-out');
    assert.equal(await store.secrets.get('arloToken'), undefined);

    assert.equal((await account.signIn(pushNever.email, pushNever.password)).step, 'await-push');
    const waiting = account.waitForPush();
    account.cancelSignIn();
    await rejectsWith(waiting, 'cancelled');
  });

  it('pairs this device after MFA so the next sign-in skips it', async () => {
    const first = await fresh();
    const { email } = cloud.accounts;
    assert.equal((await first.account.signIn(email.email, email.password)).step, 'enter-code');
    assert.deepEqual(await first.account.submitMfaCode(cloud.lastCode(email.email) ?? ''), { step: 'signed-in' });
    const trust = await first.store.secrets.get('trustedBrowserCode');
    assert.match(trust ?? '', /browser_trust_/, 'the cookie jar keeps the trust cookie');

    const codesBefore = cloud.lastCode(email.email);
    const again = await fresh(first.dir);
    assert.deepEqual(await again.account.signIn(email.email, email.password), { step: 'signed-in' });
    assert.equal(cloud.lastCode(email.email), codesBefore, 'no new code was sent');

    // Another installation (another X-User-Device-Id) is not trusted by that cookie.
    const other = await fresh();
    assert.equal((await other.account.signIn(email.email, email.password)).step, 'enter-code');
  });

  it('uses a pasted token after checking it, and refuses a dead one', async () => {
    const donor = await fresh();
    await donor.account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    const token = (await donor.store.secrets.get('arloToken')) ?? '';

    const { account, store } = await fresh();
    assert.deepEqual(await account.useToken(`  ${token}\n`), { step: 'signed-in' });
    assert.equal(await store.secrets.get('arloToken'), token);
    assert.equal((await account.accountView()).userId, cloud.accounts.owner.userId);

    const other = await fresh();
    // A token Arlo refuses was not accepted; it did not "expire" (it was never this app's sign-in).
    const refused = await rejectsWith(other.account.useToken('x'.repeat(32)), 'token-rejected');
    assert.equal(refused.message, ARLO_MESSAGES.tokenRejected);
    assert.doesNotMatch(refused.message, /expired/);
    assert.equal(await other.store.secrets.get('arloToken'), undefined);
  });

  it('explains bot protection and points to the token', async () => {
    const { account } = await fresh();
    cloud.setBotProtection(true);
    try {
      const error = await rejectsWith(account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password), 'bot-protection');
      assert.match(error.message, /paste a token/);
    } finally {
      cloud.setBotProtection(false);
    }
  });
});
