// The main window: the React renderer from file://, locked down (context isolation, sandbox, no
// Node, CSP in index.html, no navigation or new windows, no permissions but clipboard writes).
// Closing it hides it to the tray; quitting is the tray's job.

import { BrowserWindow, shell } from 'electron';

export interface MainWindowOptions {
  indexPath: string;
  preloadPath: string;
  iconPath: string;
  /** False when started at login: the app then waits in the tray. */
  showWhenReady: boolean;
  /** True while the app quits: then close really closes. */
  isQuitting(): boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1000,
    height: 720,
    minWidth: 420,
    minHeight: 400,
    show: false,
    title: 'Arlo Local RTSP',
    icon: options.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  const contents = win.webContents;
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // A link the user meant to follow (docs on https) opens in the browser, never in the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_wc, permission, grant) => grant(permission === 'clipboard-sanitized-write'));
  contents.session.setPermissionCheckHandler((_wc, permission) => permission === 'clipboard-sanitized-write');

  win.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  if (options.showWhenReady) win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexPath);
  return win;
}
