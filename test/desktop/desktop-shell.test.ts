// The desktop shell as built (dist/main/electron/main.js, unmodified) under the Electron stand-in
// of harness/: the tray and window at start, quitting, close-to-tray, the second instance, the tray
// menu's rebuilds, launch at login on Linux. (desktop-platforms and desktop-keychain do the rest.)

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import { cleanUpDesktops, exitsWithin, launchDesktop, menuLabels, quitFromTray, startDesktop as start, until } from './harness/driver.js';

after(cleanUpDesktops);

describe('the desktop shell under the Electron stand-in', () => {
  it('starts into the tray with its icon and menu, shows the window on first run; Quit with nothing running exits', async () => {
    const { app, first } = await start();
    assert.equal(first.tray?.image.empty, false, `the tray icon ${first.tray?.image.file} loads`);
    assert.deepEqual(menuLabels(first.tray?.menu), ['no cameras', '(separator)', 'Not set up: open the window to sign in', '(separator)', 'Start all', 'Stop all', '(separator)', 'Open Arlo Local RTSP', 'Launch at login', '(separator)', 'Quit']);
    const [window] = first.windows;
    assert.ok(window);
    assert.match(window.url, /^file:\/\/.*\/dist\/renderer\/index\.html$/);
    assert.notEqual(window.webPreferences.devTools, false, 'DevTools in development');
    await until(app, async () => (await app.snapshot()).windows[0]?.visible, 'the window to show');
    const state = await app.call<AppState>(window.id, 'getState');
    assert.equal(state.shell, 'desktop');
    assert.equal(state.account.signedIn, false);
    assert.equal(await quitFromTray(app), 0);
  });

  it('Quit with the window closed to the tray ends the process', async () => {
    const { app, first } = await start();
    await app.op('closeWindow', first.windows[0]!.id);
    await until(app, async () => (await app.snapshot()).windows[0]?.visible === false, 'the window to hide');
    assert.equal(await quitFromTray(app), 0);
  });

  it('closing the window hides it to the tray; a second instance shows it and exits', async () => {
    const { app, home, first } = await start();
    const id = first.windows[0]!.id;
    await until(app, async () => (await app.snapshot()).windows[0]?.visible, 'the window to show');
    await app.op('closeWindow', id);
    const hidden = await until(app, async () => {
      const s = await app.snapshot();
      return s.windows[0]?.visible === false ? s : undefined;
    }, 'the window to hide');
    assert.deepEqual(hidden.windows.map((w) => w.id), [id], 'the same window, hidden, not destroyed');
    assert.equal(hidden.tray?.destroyed, false);

    const second = launchDesktop({ home });
    assert.equal(await exitsWithin(second, 30_000), 0, 'the second instance exits');
    await until(app, async () => (await app.snapshot()).windows[0]?.visible, 'the first instance to show its window');
    assert.equal((await app.snapshot()).windows.length, 1);
    assert.equal(await quitFromTray(app), 0);
  });

  it('rebuilds the tray menu only when what it shows changes', async () => {
    const { app, first } = await start();
    const id = first.windows[0]!.id;
    const settled = await app.snapshot();
    // A published state the menu does not show (the linger time).
    await app.call(id, 'updateSettings', { lingerSeconds: 42 });
    await until(app, async () => (await app.pageState(id))?.settings.lingerSeconds === 42, 'the state with the new linger time');
    assert.equal((await app.snapshot()).menuBuilds, settled.menuBuilds, 'no rebuild for a state the menu does not show');
    await app.call(id, 'updateSettings', { lingerSeconds: 43 });
    await until(app, async () => (await app.pageState(id))?.settings.lingerSeconds === 43, 'the state with the next linger time');
    assert.equal((await app.snapshot()).menuBuilds, settled.menuBuilds);
    // Something it shows: the launch-at-login check mark.
    await app.op('clickTray', ['Launch at login']);
    const checked = await until(app, async () => {
      const s = await app.snapshot();
      return s.tray?.menu?.find((i) => i.label === 'Launch at login')?.checked ? s : undefined;
    }, 'the check mark');
    assert.equal(checked.menuBuilds, settled.menuBuilds + 1);
    await app.op('clickTray', ['Launch at login']);
    assert.equal(await quitFromTray(app), 0);
  });

  it('launch at login on Linux writes and removes an XDG autostart entry', async () => {
    const { app, home } = await start();
    const entry = join(home, '.config', 'autostart', 'arlo-local-rtsp.desktop');
    assert.equal(existsSync(entry), false);
    await app.op('clickTray', ['Launch at login']);
    await until(app, async () => existsSync(entry), 'the autostart entry');
    const text = readFileSync(entry, 'utf8');
    assert.match(text, /^\[Desktop Entry\]$/m);
    assert.match(text, /^Type=Application$/m);
    assert.match(text, /^Exec=.* --hidden$/m);
    assert.match(text, /^Name=Arlo Local RTSP$/m);
    assert.equal((await app.snapshot()).loginItemCalls, 0, 'setLoginItemSettings (macOS/Windows only) is not used on Linux');
    await app.op('clickTray', ['Launch at login']);
    await until(app, async () => !existsSync(entry), 'the autostart entry to be removed');
    assert.equal(await quitFromTray(app), 0);
  });

});
