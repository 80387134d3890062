// What the tray shows, as pure functions of AppState: the menu template, the title and the
// tooltip. No Electron import here, so it is tested under plain Node; tray.ts hands the template
// to Menu.buildFromTemplate (its items are a subset of MenuItemConstructorOptions).

import type { AppState, CameraView } from '../../shared/api.js';
import { STATE_LABEL, cameraStatusLine } from '../../shared/camera-status.js';

export interface TrayMenuItem {
  /** Names what a click acts on, so the menu's key (trayMenuKey) changes when that does. */
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox' | 'submenu';
  enabled?: boolean;
  checked?: boolean;
  toolTip?: string;
  click?: () => void;
  submenu?: TrayMenuItem[];
}

/** What the menu's items do; main.ts wires them to the service, clipboard and window. */
export interface TrayActions {
  startCamera(deviceId: string): void;
  stopCamera(deviceId: string): void;
  startAll(): void;
  stopAll(): void;
  /** Copies the camera's URL, LAN password included, to the clipboard. */
  copyUrl(deviceId: string): void;
  openInPlayer(deviceId: string): void;
  openWindow(): void;
  setLaunchAtLogin(enabled: boolean): void;
  quit(): void;
}

export function buildTrayMenu(state: AppState, actions: TrayActions): TrayMenuItem[] {
  const cameraItems: TrayMenuItem[] = state.cameras.length === 0
    ? [{ label: state.account.signedIn ? 'No cameras yet' : 'Not set up: open the window to sign in', enabled: false }]
    : state.cameras.map((camera) => cameraItem(camera, actions));
  const anyRunning = state.cameras.some((c) => c.running);
  const anyStopped = state.cameras.some((c) => !c.running);
  // A certificate near its end (or revoked) is named first; a click opens the window, where the sign-in is.
  const certificateItems: TrayMenuItem[] = state.baseStations.flatMap(({ deviceId, certificateWarning: warning }) =>
    warning ? [{ id: `certificate-${deviceId}`, label: `⚠ ${warning.summary}`, toolTip: warning.message, click: () => actions.openWindow() }] : []);
  return [
    { label: summary(state), enabled: false },
    ...certificateItems,
    { type: 'separator' },
    ...cameraItems,
    { type: 'separator' },
    { label: 'Start all', enabled: anyStopped, click: () => actions.startAll() },
    { label: 'Stop all', enabled: anyRunning, click: () => actions.stopAll() },
    { type: 'separator' },
    { label: 'Open Arlo Local RTSP', click: () => actions.openWindow() },
    {
      label: 'Launch at login',
      type: 'checkbox',
      checked: state.settings.launchAtLogin,
      click: () => actions.setLaunchAtLogin(!state.settings.launchAtLogin),
    },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/** A short title beside the icon (macOS menu bar): how many cameras stream, or nothing when none. */
export function trayTitle(state: AppState): string {
  const streaming = streamingCount(state);
  return streaming === 0 ? '' : String(streaming);
}

export function trayTooltip(state: AppState): string {
  return `Arlo Local RTSP: ${summary(state)}`;
}

/** Whether any camera is streaming, for the icon variant. */
export function isStreaming(state: AppState): boolean {
  return streamingCount(state) > 0;
}

/**
 * What a menu shows, as a string: equal strings mean the same menu for the user. Replacing a tray's
 * menu closes it if open, so tray.ts replaces it only when this changes.
 */
export function trayMenuKey(items: TrayMenuItem[]): string {
  return JSON.stringify(items, (key, value: unknown) => (key === 'click' ? undefined : value));
}

/**
 * The tray icon under `assets/tray/`. macOS gets template images (black + alpha, named
 * `…Template`) that the menu bar tints for light and dark; Windows gets .ico files (several sizes,
 * one per display scaling, as Electron's Tray docs recommend); Linux gets PNGs, whose `@2x`
 * siblings Electron picks on high-density screens.
 */
export function trayIconFile(platform: NodeJS.Platform, streaming: boolean): string {
  if (platform === 'darwin') return streaming ? 'trayStreamingTemplate.png' : 'trayTemplate.png';
  const ext = platform === 'win32' ? 'ico' : 'png';
  return streaming ? `tray-streaming.${ext}` : `tray.${ext}`;
}

function cameraItem(camera: CameraView, actions: TrayActions): TrayMenuItem {
  const status = camera.running ? STATE_LABEL[camera.state].toLowerCase() : 'stopped';
  const detail = cameraStatusLine(camera, Date.now());
  const viewers = camera.viewers > 0 ? `, ${camera.viewers} viewer${camera.viewers === 1 ? '' : 's'}` : '';
  return {
    id: camera.deviceId,
    label: `${camera.name} — ${status}${viewers}`,
    type: 'submenu',
    submenu: [
      camera.running
        ? { label: 'Stop', click: () => actions.stopCamera(camera.deviceId) }
        : { label: 'Start', click: () => actions.startCamera(camera.deviceId) },
      { label: 'Copy URL', toolTip: camera.url, click: () => actions.copyUrl(camera.deviceId) },
      { label: 'Open in VLC', enabled: camera.running, click: () => actions.openInPlayer(camera.deviceId) },
      ...(camera.running && detail ? [{ label: detail, enabled: false }] : []),
    ],
  };
}

function streamingCount(state: AppState): number {
  return state.cameras.filter((c) => c.state === 'media').length;
}

function summary(state: AppState): string {
  const streaming = streamingCount(state);
  const total = state.cameras.length;
  if (total === 0) return 'no cameras';
  const errors = state.cameras.filter((c) => c.state === 'error').length;
  const base = `${streaming} of ${total} camera${total === 1 ? '' : 's'} streaming`;
  return errors > 0 ? `${base}, ${errors} with errors` : base;
}
