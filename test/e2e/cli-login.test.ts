// `arlo-rtsp login` as a user runs it: a child process answering the prompts through stdin,
// against the simulated cloud over real HTTP.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDataStore } from '../../src/main/store/data-store.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';
import { runCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';

let cloud: SimCloud;
const dirs: string[] = [];
before(async () => {
  cloud = await startSimCloud();
});
after(async () => {
  await cloud.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const PASSPHRASE = 'cli test passphrase';

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arlo-cli-login-'));
  dirs.push(dir);
  return dir;
}

const cli = (args: string[], answer?: Parameters<typeof runCli>[2]) =>
  runCli(args, { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ARLO_RTSP_PASSPHRASE: PASSPHRASE }, answer);

describe('arlo-rtsp login', () => {
  it('signs in with a factor choice and an emailed code typed on stdin', async () => {
    const dir = await dataDir();
    const { mfa } = cloud.accounts;
    const before = cloud.lastCode(mfa.email);
    const result = await cli(['--data-dir', dir, 'login', '--email', mfa.email], async (stdin, stderr) => {
      stdin.write(`${mfa.password}\n`);
      await waitFor(() => stderr().includes('Where should Arlo send'), 20_000, 'the factor question');
      stdin.write('1\n');
      await waitFor(() => cloud.lastCode(mfa.email) !== before && stderr().includes('Verification code'), 20_000, 'the code prompt');
      stdin.write('000000x\n'); // wrong first: the CLI says so and asks again
      await waitFor(() => stderr().includes('not correct'), 20_000, 'the wrong-code message');
      stdin.write(`${cloud.lastCode(mfa.email)}\n`);
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Signed in to Arlo as ${mfa.email}`));
    assert.doesNotMatch(result.stderr + result.stdout, new RegExp(mfa.password), 'the password is never echoed');
    const store = await openDataStore(dir, { passphrase: PASSPHRASE });
    assert.ok(await store.secrets.get('arloToken'));
    assert.equal((await store.read()).account.email, mfa.email);
  });

  it('fails with one clear sentence on a wrong password', async () => {
    const dir = await dataDir();
    const result = await cli(['--data-dir', dir, 'login', '--email', cloud.accounts.owner.email], async (stdin) => {
      stdin.write('wrong password\n');
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arlo-rtsp: Arlo refused this email and password: check them and try again\.$/m);
    assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/, 'no stack');
  });

  it('keeps a good pasted token and refuses a bad one', async () => {
    const donorDir = await dataDir();
    const owner = await cli(['--data-dir', donorDir, 'login', '--email', cloud.accounts.owner.email], async (stdin) => {
      stdin.write(`${cloud.accounts.owner.password}\n`);
    });
    assert.equal(owner.code, 0, owner.stderr);
    const token = (await (await openDataStore(donorDir, { passphrase: PASSPHRASE })).secrets.get('arloToken')) ?? '';

    const dir = await dataDir();
    const good = await cli(['--data-dir', dir, 'login', '--token', token]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Signed in to Arlo with the pasted token/);
    assert.equal(await (await openDataStore(dir, { passphrase: PASSPHRASE })).secrets.get('arloToken'), token);

    const bad = await cli(['--data-dir', await dataDir(), 'login', '--token', 'not-a-valid-token-at-all-1234']);
    assert.equal(bad.code, 1);
    // A pasted token Arlo refuses did not "expire": it was never accepted (issue 21 item 6).
    assert.match(bad.stderr, /^arlo-rtsp: Arlo did not accept that token: /m);
    assert.doesNotMatch(bad.stderr, /expired/);
  });
});
