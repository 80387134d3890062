// The desktop app's main process: one instance, the core service with keychain-backed secrets,
// the window (hidden to the tray on close), the tray, IPC, launch at login, orderly quit.

import { app, BrowserWindow, clipboard, dialog, ipcMain, safeStorage, shell } from 'electron';
import Store from 'electron-store';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAppService, type AppService } from '../service.js';
import { bindIpc, isRendererUrl, pushState } from './ipc.js';
import { createDesktopLogger, logFilePath } from './logging.js';
import { openSafeStorageSecretStore, unreadableSecretsMessage } from './secret-store.js';
import { createTray, type AppTray } from './tray.js';
import type { TrayActions } from './tray-menu.js';
import { openInPlayer } from './vlc.js';
import { createMainWindow } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..', '..');
const indexPath = join(appRoot, 'dist', 'renderer', 'index.html');
const preloadPath = join(here, 'preload.cjs');
const assetsDir = join(appRoot, 'assets');
/** Passed by the login item so a start at login stays in the tray. */
const HIDDEN_ARG = '--hidden';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  let quitting = false;
  let window: BrowserWindow | undefined;
  let service: AppService | undefined;

  const showWindow = (): void => {
    if (!window || window.isDestroyed()) {
      window = createMainWindow({ indexPath, preloadPath, iconPath: join(assetsDir, 'icon.png'), showWhenReady: true, isQuitting: () => quitting });
    } else {
      window.show();
      window.focus();
    }
  };

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', () => {
    quitting = true;
  });
  await app.whenReady();
  const logger = createDesktopLogger();
  try {
    const secrets = await openSafeStorageSecretStore({
      safeStorage,
      store: new Store({ name: 'secrets' }),
      platform: process.platform,
      logger,
      confirmWeakStorage: async () => {
        const { response } = await dialog.showMessageBox({
          type: 'warning',
          buttons: ['Quit', 'Store them anyway'],
          defaultId: 0,
          cancelId: 0,
          message: 'No keyring found to protect your Arlo sign-in and certificate keys.',
          detail: 'Without GNOME Keyring or KWallet, Electron can only obfuscate them with a fixed key (basic_text): anyone who can read your files can use them. Quit and set up a keyring, or store them anyway.',
        });
        return response === 1;
      },
    });
    if (secrets.unreadable.length > 0) {
      void dialog.showMessageBox({ type: 'warning', message: 'Some saved keys could not be read.', detail: unreadableSecretsMessage(secrets.unreadable) });
    }
    service = await createAppService({
      dataDir: app.getPath('userData'),
      // Electron keeps its own files there too; ours are the only ones the store touches.
      sharedDataDir: true,
      secrets,
      logger,
      shell: 'desktop',
      openInPlayer: async (url) => {
        const how = await openInPlayer(url, { openExternal: (u) => shell.openExternal(u) });
        logger.info({ how }, 'opened a stream in a player');
      },
    });
  } catch (error) {
    logger.error({ err: error }, 'the app could not start');
    dialog.showErrorBox('Arlo Local RTSP could not start', `${error instanceof Error ? error.message : String(error)}\n\nLog: ${logFilePath()}`);
    app.exit(1);
    return;
  }
  const api = service;

  bindIpc({ ipcMain, api, isTrustedUrl: (url) => isRendererUrl(url, pathToFileURL(indexPath).href), logger });
  pushState(api, () => BrowserWindow.getAllWindows().map((w) => w.webContents));

  const report = (what: string) => (error: unknown) => logger.warn({ err: error }, `${what} from the tray failed`);
  const actions: TrayActions = {
    startCamera: (id) => void api.startCamera(id).catch(report('start')),
    stopCamera: (id) => void api.stopCamera(id).catch(report('stop')),
    startAll: () => void api.startAll().catch(report('start all')),
    stopAll: () => void api.stopAll().catch(report('stop all')),
    copyUrl: (id) => void api.viewerUrl(id).then((url) => clipboard.writeText(url), report('copy URL')),
    openInPlayer: (id) => void api.openInPlayer(id).catch(report('open in player')),
    openWindow: showWindow,
    setLaunchAtLogin: (enabled) => void api.updateSettings({ launchAtLogin: enabled }).catch(report('launch at login')),
    quit: () => app.quit(),
  };
  const tray: AppTray = createTray({ iconDir: join(assetsDir, 'tray'), platform: process.platform, actions, onClick: showWindow });
  app.on('will-quit', (event) => {
    if (!service) return;
    // Close upstream sessions (TEARDOWN) before exit so battery cameras go back to sleep.
    event.preventDefault();
    const closing = service;
    service = undefined;
    tray.destroy();
    void closing.close().finally(() => app.quit());
  });

  let openAtLogin: boolean | undefined;
  const onState = (state: Awaited<ReturnType<AppService['getState']>>): void => {
    tray.update(state);
    if (state.settings.launchAtLogin !== openAtLogin) {
      openAtLogin = state.settings.launchAtLogin;
      app.setLoginItemSettings({ openAtLogin, args: [HIDDEN_ARG] });
    }
  };
  api.subscribe(onState);
  const first = await api.getState();
  onState(first);

  const startedAtLogin = process.argv.includes(HIDDEN_ARG) || app.getLoginItemSettings().wasOpenedAtLogin === true;
  // First run always shows the window: there is nothing in the tray to use yet.
  if (!startedAtLogin || !first.account.signedIn) showWindow();
}
