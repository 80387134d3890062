// The desktop app signs in over Chromium's network stack (Electron's net.request on its own
// partition), not Node's: the built main process under the harness, whose net.request sends real
// HTTP to the simulated cloud on loopback. The cloud's firewall lets only browser-shaped calls
// through; the trusted-device cookie comes back through the app's one jar, kept encrypted, so the
// next start signs in without a code; a bot wall is explained with what to do on the desktop.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SignInStep } from '../../src/shared/api.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';
import { cleanUpDesktops, quitFromTray, startDesktop, tempHome, type DesktopApp } from './harness/driver.js';

let cloud: SimCloud;

before(async () => {
  cloud = await startSimCloud({ requireBrowser: true });
});
after(async () => {
  await cleanUpDesktops();
  await cloud.close();
});

const env = () => ({ ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl });

async function launch(home: string): Promise<{ app: DesktopApp; windowId: number }> {
  const { app, first } = await startDesktop({ home, env: env() });
  return { app, windowId: first.windows[0]!.id };
}

describe('desktop sign-in over Chromium', () => {
  it('signs in with a code through net.request, then again without one from the kept cookie jar', async () => {
    const home = (await tempHome()).path;
    const { email, password } = cloud.accounts.email;
    const before = cloud.requests.length;
    let { app, windowId } = await launch(home);
    assert.equal((await app.call<SignInStep>(windowId, 'signIn', email, password)).step, 'enter-code');
    assert.deepEqual(await app.call<SignInStep>(windowId, 'submitMfaCode', cloud.lastCode(email)), { step: 'signed-in' });

    const sent = (await app.snapshot()).netRequests;
    const received = cloud.requests.slice(before);
    assert.equal(sent.length, received.length, 'every call the cloud received went over net.request');
    assert.ok(sent.length >= 8, `the sign-in took its calls (${sent.length})`);
    for (const call of sent) {
      assert.equal(call.partition, 'arlo-cloud', 'on the app\'s own partition, not the window\'s');
      assert.equal(call.credentials, 'omit', 'Chromium keeps no cookie of its own');
      assert.equal(call.redirect, 'manual', 'the Arlo client follows redirects itself');
      assert.ok(!call.headerNames.some((n) => n.toLowerCase() === 'accept-encoding'), 'Chromium advertises the encodings it decodes');
    }
    assert.ok(received.some((r) => r.path === '/api/startPairingFactor'), 'the app asked Arlo to trust this computer');
    const secrets = await readFile(join((await app.snapshot()).userData, 'secrets.json'), 'utf8');
    assert.doesNotMatch(secrets, /browser_trust|session_hint/, 'the cookie jar is stored encrypted');
    assert.equal(await quitFromTray(app), 0);

    const codesBefore = cloud.lastCode(email);
    ({ app, windowId } = await launch(home));
    assert.deepEqual(await app.call<SignInStep>(windowId, 'signIn', email, password), { step: 'signed-in' }, 'trusted: no code this time');
    assert.equal(cloud.lastCode(email), codesBefore, 'no new code was sent');
    assert.equal(await quitFromTray(app), 0);
  });

  it('explains a bot wall with what to do on the desktop', async () => {
    const { app, windowId } = await launch((await tempHome()).path);
    cloud.setBotProtection(true);
    try {
      const error = await app.call(windowId, 'signIn', cloud.accounts.owner.email, cloud.accounts.owner.password).then(
        () => assert.fail('refused'),
        (e: Error & { code?: string }) => e,
      );
      assert.equal(error.code, 'bot-protection');
      assert.match(error.message, /browser's network stack: wait a few minutes/);
      assert.match(error.message, /paste a token/);
    } finally {
      cloud.setBotProtection(false);
    }
    assert.equal(await quitFromTray(app), 0);
  });
});
