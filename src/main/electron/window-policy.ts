// What the main window may do, as plain decisions (window.ts applies them to Electron): the
// renderer is our own file:// page with no Node and no network; it gets everything over IPC.
// Electron types only, so the policy is tested under plain Node.

import type { WebPreferences } from 'electron';
import { isRendererUrl } from './ipc.js';

/** The renderer's sandbox: isolated context, no Node, web security on, no webviews; DevTools only in development. */
export function secureWebPreferences(preloadPath: string, build: { packaged: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    devTools: !build.packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Whether the window may navigate (or be redirected) to `url`: only to our own page. */
export function mayNavigate(url: string, indexUrl: string): boolean {
  return isRendererUrl(url, indexUrl);
}

/**
 * What to do with a request for a new window: never open one in the app; a link the user meant
 * to follow (docs on https) goes to the browser.
 */
export function newWindowDecision(url: string): { action: 'deny'; openExternally?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny' };
  }
  return parsed.protocol === 'https:' ? { action: 'deny', openExternally: parsed.href } : { action: 'deny' };
}

/** Whether the page may load `url`: nothing from the network, so no remote content, even by mistake. */
export function mayLoad(url: string): boolean {
  return !NETWORK_PROTOCOLS.has(url.slice(0, url.indexOf(':') + 1).toLowerCase());
}

/** The only permission the page gets: writing an RTSP URL to the clipboard. */
export function mayUsePermission(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

const NETWORK_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);
