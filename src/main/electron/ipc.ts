// AppApi over Electron IPC: one generic `ipcMain.handle` driven by APP_API_METHODS, answering an
// ApiResult envelope (IPC would keep only the message of a thrown error), and a push of every
// published AppState to the window. Only our own page, in its main frame, may call: a navigation
// gone wrong or an injected frame gets refused. Types only from Electron, so the logic is tested
// under plain Node with fakes of these small shapes.

import { checkArguments } from '../../shared/api-arguments.js';
import { APP_API_METHODS, type AppApiClient, type AppApiMethod, type AppState } from '../../shared/api.js';
import { IPC_CALL_CHANNEL, IPC_STATE_CHANNEL, type ApiResult } from '../../shared/bridge.js';
import { toApiError } from '../errors.js';
import type { Logger } from '../log.js';

/** The part of `ipcMain` the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The part of an IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of a WebContents the state push uses. */
export interface WebContentsLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcBindingOptions {
  ipcMain: IpcMainLike;
  api: AppApiClient;
  /** Whether a frame at this URL is our renderer (see `isRendererUrl`). */
  isTrustedUrl(url: string): boolean;
  logger: Logger;
}

/** Binds every AppApi method; returns the unbind function. */
export function bindIpc({ ipcMain, api, isTrustedUrl, logger }: IpcBindingOptions): () => void {
  const methods = new Set<string>(APP_API_METHODS);
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method, args): Promise<ApiResult> => {
    const refused = refuseUntrusted(event, isTrustedUrl, logger);
    if (refused) return refused;
    if (typeof method !== 'string' || !methods.has(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `No API method "${String(method)}".` } };
    }
    if (!Array.isArray(args)) return { ok: false, error: { code: 'bad-request', message: 'Arguments must be an array.' } };
    const checked = checkArguments(method as AppApiMethod, args);
    if (!checked.ok) return { ok: false, error: { code: 'bad-request', message: checked.message } };
    try {
      const call = api[method as AppApiMethod] as (...a: unknown[]) => Promise<unknown>;
      return { ok: true, value: await call.apply(api, checked.args) };
    } catch (error) {
      const payload = toApiError(error);
      if (payload.code === 'internal') logger.error({ err: error, method }, 'ipc call failed');
      return { ok: false, error: payload };
    }
  });
  return () => ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

/**
 * The refusal for a call from anything but our page in its main frame (a navigation gone wrong,
 * an injected frame), or undefined for our page.
 */
export function refuseUntrusted(event: InvokeEventLike, isTrustedUrl: (url: string) => boolean, logger: Logger): ApiResult | undefined {
  const frame = event.senderFrame;
  if (frame && frame.parent === null && isTrustedUrl(frame.url)) return undefined;
  logger.warn({ url: frame?.url }, 'ipc call from an untrusted frame refused');
  return { ok: false, error: { code: 'forbidden', message: 'This page may not control the app.' } };
}

/** Sends every published state to the windows `targets` returns; returns the unsubscribe function. */
export function pushState(api: AppApiClient, targets: () => WebContentsLike[]): () => void {
  return api.subscribe((state: AppState) => {
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(IPC_STATE_CHANNEL, state);
  });
}

/** Whether `url` is the renderer's page `indexUrl` (a file:// URL), ignoring query and hash. */
export function isRendererUrl(url: string, indexUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(indexUrl);
    return a.protocol === 'file:' && a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
