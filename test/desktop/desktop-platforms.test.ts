// The desktop shell as built, under the Electron stand-in of harness/, as on macOS and Windows,
// and packaged: launch at login, the Dock icon, tray icon formats, the application menu, DevTools,
// and no preload or IPC channel but ours.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IPC_CALL_CHANNEL, IPC_LIVE_CHANNEL } from '../../src/shared/bridge.js';
import { cleanUpDesktops, quitFromTray, startDesktop as start, until, type DesktopApp } from './harness/driver.js';

after(cleanUpDesktops);

/** Launch at login on and off from the tray, as macOS and Windows do it (no XDG entry there). */
async function loginItemRoundTrip(app: DesktopApp, home: string): Promise<void> {
  await app.op('clickTray', ['Launch at login']);
  const on = await until(app, async () => {
    const s = await app.snapshot();
    return s.loginItem.openAtLogin ? s : undefined;
  }, 'the login item');
  assert.deepEqual(on.loginItem.args, ['--hidden']);
  assert.equal(existsSync(join(home, '.config', 'autostart')), false, 'no XDG entry off Linux');
  await app.op('clickTray', ['Launch at login']);
  await until(app, async () => !(await app.snapshot()).loginItem.openAtLogin, 'the login item off');
}

describe('the desktop shell on each platform, and packaged', () => {
  it('on macOS: launch at login through setLoginItemSettings, the Dock icon with the window, template tray icons', async () => {
    const { app, home, first } = await start({ env: { HARNESS_PLATFORM: 'darwin' } });
    assert.match(first.tray?.image.file ?? '', /trayTemplate\.png$/);
    assert.equal(first.tray?.image.empty, false);
    await until(app, async () => (await app.snapshot()).windows[0]?.visible, 'the window to show');
    assert.equal((await app.snapshot()).dockHidden, false);
    await app.op('closeWindow', first.windows[0]!.id);
    await until(app, async () => (await app.snapshot()).dockHidden, 'the Dock icon to hide with the window');
    await loginItemRoundTrip(app, home);
    assert.equal(await quitFromTray(app), 0);
  });

  it('on Windows: launch at login through setLoginItemSettings, an .ico tray icon that loads', async () => {
    const { app, home, first } = await start({ env: { HARNESS_PLATFORM: 'win32' } });
    assert.match(first.tray?.image.file ?? '', /\.ico$/);
    assert.equal(first.tray?.image.empty, false);
    await loginItemRoundTrip(app, home);
    assert.equal(await quitFromTray(app), 0);
  });

  it('an application menu with only the Edit roles, no DevTools when packaged, no preload or IPC but ours', async () => {
    const { app, first } = await start({ env: { HARNESS_PACKAGED: '1' } });
    assert.deepEqual(first.applicationMenu?.map((m) => m.role ?? m.label), ['editMenu']);
    assert.equal(first.windows[0]?.webPreferences.devTools, false);
    assert.deepEqual(first.sessionPreloads, [], "no preload injected into every frame (electron-log's initialize)");
    assert.deepEqual(first.ipc.handlers, [IPC_CALL_CHANNEL, IPC_LIVE_CHANNEL]);
    // Only electron-store's, which our sandboxed page has no ipcRenderer to reach (docs/DESKTOP.md).
    assert.deepEqual(first.ipc.listeners.filter((c) => !['error'].includes(c)), ['electron-store-get-data'], "no ipcMain.on channel but electron-store's");
    assert.equal(await quitFromTray(app), 0);
  });

});
