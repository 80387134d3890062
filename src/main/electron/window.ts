// The main window: the React renderer from file://, locked down by window-policy.ts (context
// isolation, sandbox, no Node, no network requests, no navigation away from our page, no new
// windows, no permissions but clipboard writes). Closing it hides it to the tray; quitting is
// the tray's job.

import { BrowserWindow, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import { mayLoad, mayNavigate, mayUsePermission, newWindowDecision, secureWebPreferences } from './window-policy.js';

export interface MainWindowOptions {
  indexPath: string;
  preloadPath: string;
  iconPath: string;
  /** False when started at login: the app then waits in the tray. */
  showWhenReady: boolean;
  /** True while the app quits: then close really closes. */
  isQuitting(): boolean;
  /** A packaged app (app.isPackaged): no DevTools. */
  packaged: boolean;
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
    webPreferences: secureWebPreferences(options.preloadPath, { packaged: options.packaged }),
  });

  const indexUrl = pathToFileURL(options.indexPath).href;
  const contents = win.webContents;
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!mayNavigate(url, indexUrl)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const { action, openExternally } = newWindowDecision(url);
    if (openExternally) void shell.openExternal(openExternally);
    return { action };
  });
  const { session } = contents;
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !mayLoad(details.url) }));
  session.setPermissionRequestHandler((_wc, permission, grant) => grant(mayUsePermission(permission)));
  session.setPermissionCheckHandler((_wc, permission) => mayUsePermission(permission));

  win.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  if (options.showWhenReady) win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexPath);
  return win;
}
