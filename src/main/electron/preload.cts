// The renderer's only door to the app: an ApiBridge on `window.arloBridge`, through the IPC
// channels of ipc.ts. Sandboxed preloads cannot load our modules at run time, so this file is
// bundled (vite.preload.config.ts) with the method list from src/shared/api.ts inlined.

import type { IpcRendererEvent } from 'electron';
import type { AppState } from '../../shared/api.js';
import type { ApiBridge, ApiResult } from '../../shared/bridge.js';
/* eslint-disable @typescript-eslint/no-require-imports -- a .cts under verbatimModuleSyntax imports values this way */
import electron = require('electron');
import shared = require('../../shared/api.js');
import channels = require('../../shared/bridge.js');
/* eslint-enable @typescript-eslint/no-require-imports */

const { contextBridge, ipcRenderer } = electron;
const { BRIDGE_GLOBAL, IPC_CALL_CHANNEL, IPC_STATE_CHANNEL } = channels;
const methods = new Set<string>(shared.APP_API_METHODS);

const bridge: ApiBridge = {
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
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
