// The renderer's only door to the app: a DesktopBridge on `window.arloBridge`, through the IPC
// channels of ipc.ts and live-port.ts. A live view's MessagePort cannot cross the context bridge:
// it reaches the page as Electron documents it, posted to the window from here (`window.postMessage`
// delivers it to the page's own world) with the id the page asked with. Sandboxed preloads cannot
// load our modules at run time, so this file is bundled (vite.preload.config.ts) with the method
// list from src/shared/api.ts inlined.

import type { IpcRendererEvent } from 'electron';
import type { AppState } from '../../shared/api.js';
import type { ApiResult, DesktopBridge } from '../../shared/bridge.js';
/* eslint-disable @typescript-eslint/no-require-imports -- a .cts under verbatimModuleSyntax imports values this way */
import electron = require('electron');
import shared = require('../../shared/api.js');
import channels = require('../../shared/bridge.js');
import live = require('../../shared/live.js');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The page's window, as far as this file uses it (the main process's code is typed without the DOM). */
declare const window: { postMessage(message: unknown, targetOrigin: string, transfer: IpcRendererEvent['ports']): void };

const { contextBridge, ipcRenderer } = electron;
const { BRIDGE_GLOBAL, IPC_CALL_CHANNEL, IPC_LIVE_CHANNEL, IPC_LIVE_PORT_CHANNEL, IPC_STATE_CHANNEL } = channels;
const methods = new Set<string>(shared.APP_API_METHODS);

const bridge: DesktopBridge = {
  call(method, args) {
    if (!methods.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown-method', message: `No API method "${method}".` } });
    }
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, method, args) as Promise<ApiResult>;
  },
  subscribe(listener) {
    // Only the state reaches the page, never the IPC event (it carries the sender).
    const handler = (_event: IpcRendererEvent, state: AppState) => listener(state);
    ipcRenderer.on(IPC_STATE_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_STATE_CHANNEL, handler);
    };
  },
  openLive(request) {
    return ipcRenderer.invoke(IPC_LIVE_CHANNEL, request) as Promise<ApiResult>;
  },
};

// Our page is a file:// URL, whose origin is opaque: only '*' reaches it. Only the id and the port
// go on, never the IPC event.
ipcRenderer.on(IPC_LIVE_PORT_CHANNEL, (event: IpcRendererEvent, message: Record<string, unknown>) => {
  const id = message[live.LIVE_PORT_MESSAGE];
  if (typeof id === 'string') window.postMessage({ [live.LIVE_PORT_MESSAGE]: id }, '*', event.ports);
});

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
