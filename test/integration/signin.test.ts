// Sign-in against the simulated Arlo cloud over real HTTP: every MFA kind, wrong and expired codes,
// a PUSH nobody approves, trusted-device pairing that skips MFA next time, a pasted token,
// wrong password and bot protection.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArloAccount } from '../../src/main/arlo/account.js';
import { ARLO_MESSAGES, ArloError } from '../../src/main/arlo/errors.js';
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { DataStore } from '../../src/main/store/types.js';
import { startSimCloud, type SimCloud, type SimCloudOptions } from '../../src/sim/cloud/index.js';

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

async function fresh(dir?: string, on: SimCloud = cloud): Promise<{ account: ArloAccount; store: DataStore; dir: string }> {
  const where = dir ?? (await mkdtemp(join(tmpdir(), 'arlo-signin-')));
  if (!dir) dirs.push(where);
  const store = await openDataStore(where, { passphrase: 'test passphrase' });
  const account = new ArloAccount(store, silentLogger, {
    endpoints: { apiUrl: on.apiUrl, authUrl: on.authUrl },
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

describe('sign-in answers seen in the field (PROTOCOL.md §7)', () => {
  const clouds: SimCloud[] = [];
  after(async () => Promise.all(clouds.map((c) => c.close())));
  async function cloudWith(options: SimCloudOptions): Promise<SimCloud> {
    const made = await startSimCloud(options);
    clouds.push(made);
    return made;
  }

  it('goes on with a code when Arlo answers 9204 "Browser is not trusted" to the trusted sign-in', async () => {
    const lapsing = await cloudWith({ trustLapsesAtStartAuth: true });
    const { email, password } = lapsing.accounts.email;
    const { account, dir } = await fresh(undefined, lapsing);
    await account.signIn(email, password);
    assert.deepEqual(await account.submitMfaCode(lapsing.lastCode(email) ?? ''), { step: 'signed-in' });
    await account.close();
    // Paired, so getFactorId finds the browser trusted; startAuth then says it is not.
    const again = await fresh(dir, lapsing);
    const step = await again.account.signIn(email, password);
    assert.equal(step.step, 'enter-code', 'a code is asked for, not an error shown');
  });

  it('explains 9204 where no code can follow, and 9261 "Invalid factor data", with what to do', async () => {
    const refusing = await cloudWith({ invalidFactorData: true });
    const { account } = await fresh(undefined, refusing);
    const error = await rejectsWith(account.signIn(refusing.accounts.email.email, refusing.accounts.email.password), 'factor-refused');
    assert.match(error.message, /error 9261/);
    assert.match(error.message, /choose another method/);
    assert.doesNotMatch(error.message, /Arlo said/, 'no raw text');
  });

  it('explains HTTP 429 before sign-in starts and points headless users to the token', async () => {
    const walled = await cloudWith({ tooManyRequests: true });
    const { account } = await fresh(undefined, walled);
    const error = await rejectsWith(account.signIn(walled.accounts.owner.email, walled.accounts.owner.password), 'bot-protection');
    assert.match(error.message, /paste a token/);
    assert.match(error.message, /desktop app/);
  });
});

describe('one identity per installation', () => {
  it('sends the same User-Agent and device id on every call of every run, and another installation its own', async () => {
    const first = cloud.requests.length;
    const one = await fresh();
    await one.account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    await one.account.refreshDevices();
    await one.account.close();
    const again = await fresh(one.dir);
    await again.account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    const runs = cloud.requests.slice(first);
    const settings = (await one.store.read()).settings;
    assert.ok(runs.some((r) => r.host === 'api') && runs.some((r) => r.host === 'auth'));
    for (const request of runs) {
      assert.equal(request.headers['user-agent'], settings.userAgent, `${request.host} ${request.path}: the kept User-Agent`);
      if (request.host === 'auth') assert.equal(request.headers['x-user-device-id'], settings.clientDeviceId, `${request.path}: the kept device id`);
    }

    const beforeOther = cloud.requests.length;
    const other = await fresh();
    await other.account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    const otherIds = new Set(cloud.requests.slice(beforeOther).map((r) => r.headers['x-user-device-id']).filter(Boolean));
    assert.deepEqual([...otherIds], [(await other.store.read()).settings.clientDeviceId]);
    assert.notEqual((await other.store.read()).settings.clientDeviceId, settings.clientDeviceId, 'two installations, two devices');
  });

  it('keeps the User-Agent settings written before it was kept: made once, then the same every start', async () => {
    const { dir, store } = await fresh();
    await store.read();
    const path = join(dir, 'settings.json');
    const written = JSON.parse(await readFile(path, 'utf8')) as { settings: Record<string, unknown> };
    delete written.settings.userAgent;
    await writeFile(path, JSON.stringify(written));
    const upgraded = await openDataStore(dir, { passphrase: 'test passphrase' });
    const made = (await upgraded.read()).settings.userAgent;
    assert.match(made, /^Mozilla\/5\.0 /);
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as { settings: { userAgent?: string } };
    assert.equal(onDisk.settings.userAgent, made, 'saved at once, so a later version with another default keeps it');
    // A User-Agent kept from an older version is sent as kept, not replaced by today's default.
    onDisk.settings.userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.0.0 Safari/537.36';
    await writeFile(path, JSON.stringify(onDisk));
    const first = cloud.requests.length;
    const { account } = await fresh(dir);
    await account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    assert.ok(cloud.requests.slice(first).every((r) => r.headers['user-agent'] === onDisk.settings.userAgent));
  });
});
