// The test's side of the desktop harness: starts the built main process (dist/main/electron/main.js,
// unmodified) under plain Node with the stand-in `electron` (register.mjs), and drives it as a user
// and the OS would: tray clicks, calls from the page through the real preload, dialogs answered,
// shutdown signals. What the app gave Electron is read back with `snapshot()`.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AppState } from '../../../src/shared/api.js';
import type { ApiResult } from '../../../src/shared/bridge.js';

const REGISTER = resolve('test/desktop/harness/register.mjs');
const started: DesktopApp[] = [];
const homes: string[] = [];
export const BUILT_MAIN = resolve('dist/main/electron/main.js');

export interface MenuItemRecord {
  label?: string;
  type?: string;
  role?: string;
  enabled?: boolean;
  checked?: boolean;
  clickable?: boolean;
  submenu?: MenuItemRecord[];
}

export interface WindowRecord {
  id: number;
  visible: boolean;
  url: string;
  webPreferences: Record<string, unknown>;
  devToolsOpened: boolean;
}

/** What electron.cjs recorded (its `operations.snapshot`). */
export interface Snapshot {
  ready: boolean;
  platform: NodeJS.Platform;
  menuBuilds: number;
  applicationMenu: MenuItemRecord[] | null | undefined;
  loginItem: { openAtLogin: boolean; args: string[] };
  loginItemCalls: number;
  dockHidden: boolean;
  dialogs: { type?: string; message: string; detail?: string; buttons?: string[] }[];
  errorBoxes: { title: string; content: string }[];
  clipboard: string;
  sessionPreloads: string[];
  /** Every Electron net.request the app made (header names only: their values hold tokens). */
  netRequests: { url: string; method: string; partition: string; credentials?: string; redirect: string; headerNames: string[] }[];
  tray?: { image: { file?: string; empty: boolean }; tooltip: string; title: string; destroyed: boolean; menu?: MenuItemRecord[] };
  windows: WindowRecord[];
  ipc: { handlers: string[]; listeners: string[] };
  userData: string;
  logs: string;
}

export interface DialogRequest {
  type?: string;
  message: string;
  detail?: string;
  buttons?: string[];
}

export interface LaunchOptions {
  /** The home and XDG config directory: the app's userData lives under it. */
  home: string;
  main?: string;
  env?: Record<string, string>;
  args?: string[];
  /** The button a user presses in a message box; the default is its first (cancel-safe) button. */
  onDialog?: (request: DialogRequest) => number;
}

export interface DesktopApp {
  child: ChildProcess;
  /** Resolves with the exit code when the process has ended. */
  exited: Promise<number | null>;
  snapshot(): Promise<Snapshot>;
  op<T = unknown>(name: string, args?: unknown): Promise<T>;
  /** A call from the page through the preload's bridge, as the React app makes it. */
  call<T = unknown>(windowId: number, method: string, ...args: unknown[]): Promise<T>;
  /** The last state the page received. */
  pageState(windowId: number): Promise<AppState | undefined>;
  output(): string;
  kill(): void;
}

export function launchDesktop(options: LaunchOptions): DesktopApp {
  const app = launch(options);
  started.push(app);
  return app;
}

function launch(options: LaunchOptions): DesktopApp {
  const child = fork(options.main ?? BUILT_MAIN, options.args ?? [], {
    execArgv: ['--import', REGISTER],
    env: { ...process.env, HOME: options.home, XDG_CONFIG_HOME: join(options.home, '.config'), ARLO_RTSP_LOG_LEVEL: 'debug', ...options.env },
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (message: { kind: string; id: number; value?: unknown; error?: string; options?: DialogRequest }) => {
    if (message.kind === 'reply') {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.value);
    } else if (message.kind === 'dialog') {
      const response = options.onDialog?.(message.options!) ?? 0;
      child.send({ kind: 'op', id: 0, op: 'answerDialog', args: { id: message.id, response } });
    }
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the app exited; output:\n${output}`));
    pending.clear();
  });
  const op = <T>(name: string, args?: unknown): Promise<T> =>
    new Promise<T>((resolveOp, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`the app has exited; output:\n${output}`));
      const id = nextId++;
      pending.set(id, { resolve: resolveOp as (v: unknown) => void, reject });
      child.send({ kind: 'op', id, op: name, args });
    });
  return {
    child,
    exited,
    op,
    snapshot: () => op<Snapshot>('snapshot'),
    async call<T>(windowId: number, method: string, ...args: unknown[]): Promise<T> {
      const result = await op<ApiResult>('rendererCall', { windowId, method, args });
      if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
      return result.value as T;
    },
    pageState: (windowId) => op<AppState | undefined>('rendererStates', { windowId }),
    output: () => output,
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Polls `check` (an async read of the app) until it holds; fails with `what` and the app's output. */
export async function until<T>(app: DesktopApp, check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; app output:\n${app.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves with the exit code, or fails if the process is still running after `timeoutMs`. */
export async function exitsWithin(app: DesktopApp, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the app did not exit within ${timeoutMs} ms; output:\n${app.output().slice(-4000)}`)), timeoutMs);
  });
  try {
    return await Promise.race([app.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function tempHome(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'desktop-harness-'));
  homes.push(path);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The labels of a menu, nested submenus as [label, children]. */
export function menuLabels(items: MenuItemRecord[] | undefined): unknown[] {
  return (items ?? []).map((i) => (i.submenu ? [i.label, menuLabels(i.submenu)] : i.label ?? `(${i.type ?? i.role})`));
}

/** Kills every app launched and removes every home made here; call from `after`. */
export async function cleanUpDesktops(): Promise<void> {
  for (const app of started.splice(0)) app.kill();
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
}

/** Starts the app (in a fresh home unless one is given) and waits for its tray and a loaded window. */
export async function startDesktop(options: Partial<LaunchOptions> = {}): Promise<{ app: DesktopApp; home: string; first: Snapshot }> {
  const home = options.home ?? (await tempHome()).path;
  const app = launchDesktop({ ...options, home });
  const first = await until(app, async () => {
    const s = await app.snapshot();
    return s.tray?.menu && s.windows.length > 0 && s.windows.every((w) => w.url !== '') ? s : undefined;
  }, 'the tray and the window', 60_000);
  return { app, home, first };
}

/** Quit from the tray menu; resolves with the exit code once the process has ended. */
export async function quitFromTray(app: DesktopApp): Promise<number | null> {
  await app.op('clickTray', ['Quit']);
  return exitsWithin(app, 15_000);
}
