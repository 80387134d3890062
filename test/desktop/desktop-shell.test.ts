// The desktop shell as built (dist/main/electron/main.js, unmodified) under the Electron stand-in
// of harness/: the tray and window at start, quitting, the second instance, close-to-tray, launch
// at login on each platform, the keychain checks, the tray menu's rebuilds, and what the shell
// hands Electron (menus, web preferences, preloads, IPC channels).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import { IPC_CALL_CHANNEL } from '../../src/shared/bridge.js';
import { exitsWithin, launchDesktop, menuLabels, tempHome, until, type DesktopApp, type LaunchOptions, type Snapshot } from './harness/driver.js';

const homes: { remove(): Promise<void> }[] = [];
const running: DesktopApp[] = [];
after(async () => {
  for (const app of running) app.kill();
  for (const home of homes) await home.remove();
});

/** Starts the app in a fresh home and waits for its tray and a loaded window. */
async function start(options: Partial<LaunchOptions> = {}): Promise<{ app: DesktopApp; home: string; first: Snapshot }> {
  const home = options.home ?? (await tempHome()).path;
  if (!options.home) homes.push({ remove: async () => (await import('node:fs/promises')).rm(home, { recursive: true, force: true }) });
  const app = launchDesktop({ ...options, home });
  running.push(app);
  const first = await until(app, async () => {
    const s = await app.snapshot();
    return s.tray?.menu && s.windows.length > 0 && s.windows.every((w) => w.url !== '') ? s : undefined;
  }, 'the tray and the window', 60_000);
  return { app, home, first };
}

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

async function quitFromTray(app: DesktopApp): Promise<number | null> {
  await app.op('clickTray', ['Quit']);
  return exitsWithin(app, 15_000);
}

// Each test bounds itself (the runner's per-test timeout); the file as a whole takes minutes on a loaded machine.
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
    running.push(second);
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
    assert.deepEqual(first.ipc.handlers, [IPC_CALL_CHANNEL]);
    assert.deepEqual(first.ipc.listeners.filter((c) => !['error'].includes(c)), [], 'no ipcMain.on channel');
    assert.equal(await quitFromTray(app), 0);
  });

  describe('secret storage', () => {
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
      const home = (await tempHome());
      homes.push(home);
      const app = launchDesktop({ home: home.path, env: { HARNESS_KEYRING: 'gnome_libsecret:unreachable' }, onDialog: () => 0 });
      running.push(app);
      assert.equal(await exitsWithin(app, 30_000), 1);
      assert.match(app.output(), /keyring/i);
    });
  });
});
