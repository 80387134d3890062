// The desktop shell as built, under the Electron stand-in of harness/, with each keyring behaviour:
// one that answers, none (basic_text), and one that does not answer (Chromium's fixed-key fallback).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import { cleanUpDesktops, exitsWithin, launchDesktop, quitFromTray, startDesktop as start, tempHome } from './harness/driver.js';

after(cleanUpDesktops);

describe('the desktop shell and the keychain', () => {
  const WEAK = /fixed key|not protected by a keyring/i;

  it('a keyring that answers: no question, no warning', async () => {
    const { app, first } = await start({ env: { HARNESS_KEYRING: 'gnome_libsecret' } });
    assert.deepEqual(first.dialogs, []);
    const state = await app.call<AppState>(first.windows[0]!.id, 'getState');
    assert.deepEqual(state.warnings.filter((w) => WEAK.test(w)), []);
    assert.equal(await quitFromTray(app), 0);
  });

  for (const keyring of ['basic_text', 'gnome_libsecret:unreachable', 'kwallet5:unreachable']) {
    it(`${keyring}: the user is asked first, and the state warns`, async () => {
      const { app, first } = await start({ env: { HARNESS_KEYRING: keyring }, onDialog: (d) => d.buttons?.indexOf('Store them anyway') ?? 0 });
      assert.equal(first.dialogs.length, 1);
      assert.match(first.dialogs[0]!.message, /keyring/i);
      const state = await app.call<AppState>(first.windows[0]!.id, 'getState');
      assert.equal(state.warnings.filter((w) => WEAK.test(w)).length, 1, state.warnings.join('\n'));
      assert.equal(await quitFromTray(app), 0);
    });
  }

  it('refusing the weak storage quits without storing anything', async () => {
    const home = await tempHome();
    const app = launchDesktop({ home: home.path, env: { HARNESS_KEYRING: 'gnome_libsecret:unreachable' }, onDialog: () => 0 });
    assert.equal(await exitsWithin(app, 30_000), 1);
    assert.match(app.output(), /keyring/i);
  });
});
