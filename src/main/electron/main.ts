// The desktop app's main process: one instance, the core service with keychain-backed secrets,
// the window (hidden to the tray on close), the tray, IPC, launch at login, orderly quit.

import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, MessageChannelMain, net, powerMonitor, safeStorage, session, shell } from 'electron';
import Conf from 'conf';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAppService, type AppService } from '../service.js';
import { ARLO_PARTITION, chromiumTransport } from './chromium-transport.js';
import { bindIpc, isRendererUrl, pushState } from './ipc.js';
import { bindLivePorts } from './live-port.js';
import { HIDDEN_ARG, launchCommand, setLaunchAtLogin } from './login-item.js';
import { createDesktopLogger, logFilePath } from './logging.js';
import { openSafeStorageSecretStore, unreadableSecretsMessage, type WeakStorageReason } from './secret-store.js';
import { createTray, type AppTray } from './tray.js';
import type { TrayActions } from './tray-menu.js';
import { openInPlayer } from './vlc.js';
import { createMainWindow } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..', '..');
const indexPath = join(appRoot, 'dist', 'renderer', 'index.html');
const preloadPath = join(here, 'preload.cjs');
const assetsDir = join(appRoot, 'assets');
/** How long quitting waits for the base stations' TEARDOWNs before exiting anyway. */
const QUIT_WATCHDOG_MS = 5_000;

const WEAK_STORAGE_DETAIL: Record<WeakStorageReason, string> = {
  basic_text: 'No GNOME Keyring or KWallet was found, so Electron can only obfuscate them with a fixed key (basic_text): anyone who can read your files can use them. Quit and set up a keyring, or store them anyway.',
  'keyring-unanswered': 'The keyring did not answer, so Electron would encrypt them with a fixed key instead: anyone who can read your files can use them. Quit and unlock or repair the keyring, or store them anyway.',
};

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  let quitting = false;
  let window: BrowserWindow | undefined;
  let service: AppService | undefined;
  /** Ends a window's live views; until the service runs there are none (replaced below). */
  let endLiveViews = (_contents: object, _reason: string): void => undefined;
  /** Ends the app; until the service runs there is nothing to close first (replaced below). */
  let shutDown = (_why: string): void => app.exit(0);

  // Started at login there is no window, and then no Dock icon either (macOS); the Dock icon is
  // shown with the window and hidden with it (app.dock is macOS only).
  app.dock?.hide();
  const showWindow = (): void => {
    void app.dock?.show();
    if (!window || window.isDestroyed()) {
      window = createMainWindow({ indexPath, preloadPath, iconPath: join(assetsDir, 'icon.png'), showWhenReady: true, isQuitting: () => quitting, packaged: app.isPackaged });
      const contents = window.webContents;
      window.on('hide', () => {
        app.dock?.hide();
        // Nobody watches a hidden window; its camera may go back to sleep.
        endLiveViews(contents, 'The live view stopped while the window was hidden.');
      });
      // Windows ends the session (shut down, log off) without 'will-quit': the window hears it.
      window.on('session-end', () => shutDown('session end'));
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
  // Only the Edit roles, so copy and paste work in the window (macOS routes them through the menu).
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'editMenu' }]));
  const logger = createDesktopLogger(app.getPath('logs'));
  try {
    const secrets = await openSafeStorageSecretStore({
      safeStorage,
      // conf directly, where electron-store would put it (userData/secrets.json): electron-store
      // adds only an ipcMain channel for renderers, which ours must not have.
      store: new Conf<Record<string, unknown>>({ cwd: app.getPath('userData'), configName: 'secrets' }),
      platform: process.platform,
      logger,
      confirmWeakStorage: async (reason) => {
        const { response } = await dialog.showMessageBox({
          type: 'warning',
          buttons: ['Quit', 'Store them anyway'],
          defaultId: 0,
          cancelId: 0,
          message: 'No keyring to protect your Arlo sign-in and certificate keys.',
          detail: WEAK_STORAGE_DETAIL[reason],
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
      // Sign-in and enrollment over Chromium's network stack: Arlo's bot protection lets browsers through.
      arloTransport: chromiumTransport(net, session.fromPartition(ARLO_PARTITION)),
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

  const isTrustedUrl = (url: string): boolean => isRendererUrl(url, pathToFileURL(indexPath).href);
  bindIpc({ ipcMain, api, isTrustedUrl, logger });
  const livePorts = bindLivePorts({ ipcMain, createChannel: () => new MessageChannelMain(), media: api, isTrustedUrl, logger });
  endLiveViews = (contents, reason) => livePorts.endAll(contents, reason);
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

  /**
   * Ends the app once upstream sessions are closed (TEARDOWN), so battery cameras go back to sleep.
   * It exits with app.exit(), not a second app.quit(): Electron ignores quit() while its quit is in
   * progress, and a close that settles within the 'will-quit' emit's microtask checkpoint would
   * call it then (shell/browser/browser.cc Quit/NotifyAndShutdown). The watchdog exits anyway if a
   * base station does not answer.
   */
  let shuttingDown = false;
  shutDown = (why) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ why }, 'closing streams before exit');
    tray.destroy();
    const watchdog = setTimeout(() => {
      logger.warn({ ms: QUIT_WATCHDOG_MS }, 'streams still closing; exiting anyway');
      app.exit(0);
    }, QUIT_WATCHDOG_MS);
    void api
      .close()
      .catch((error: unknown) => logger.warn({ err: error }, 'closing streams failed'))
      .finally(() => {
        clearTimeout(watchdog);
        app.exit(0);
      });
  };
  app.on('will-quit', (event) => {
    event.preventDefault();
    shutDown('quit');
  });
  // Linux and macOS shutting down: Electron delays it while the event is prevented, until we exit
  // (power-monitor.ts; Electron passes its Event although the typings list no argument).
  powerMonitor.on('shutdown', (event?: { preventDefault(): void }) => {
    event?.preventDefault();
    shutDown('system shutdown');
  });

  const loginItem = {
    platform: process.platform,
    env: process.env,
    home: app.getPath('home'),
    command: launchCommand({ env: process.env, execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath() }),
    name: app.getName(),
    setLoginItemSettings: (settings: { openAtLogin: boolean; args: string[] }) => app.setLoginItemSettings(settings),
  };
  let openAtLogin: boolean | undefined;
  const onState = (state: Awaited<ReturnType<AppService['getState']>>): void => {
    tray.update(state);
    if (state.settings.launchAtLogin !== openAtLogin) {
      openAtLogin = state.settings.launchAtLogin;
      try {
        setLaunchAtLogin(openAtLogin, loginItem);
      } catch (error) {
        logger.warn({ err: error }, 'launch at login could not be changed');
      }
    }
  };
  api.subscribe(onState);
  const first = await api.getState();
  onState(first);

  const startedAtLogin = process.argv.includes(HIDDEN_ARG) || app.getLoginItemSettings().wasOpenedAtLogin === true;
  // First run always shows the window: there is nothing in the tray to use yet.
  if (!startedAtLogin || !first.account.signedIn) showWindow();
}
