// What the tray shows, as pure functions of AppState: the menu template, the title and the
// tooltip. No Electron import here, so it is tested under plain Node; tray.ts hands the template
// to Menu.buildFromTemplate (its items are a subset of MenuItemConstructorOptions).

import type { AppState, CameraView } from '../../shared/api.js';
import { STATE_LABEL, cameraStatusLine } from '../../shared/camera-status.js';

export interface TrayMenuItem {
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
  copyUrl(url: string): void;
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
  return [
    { label: summary(state), enabled: false },
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
 * The tray icon under `assets/tray/`. macOS gets template images (black + alpha, named
 * `…Template`) that the menu bar tints for light and dark; the others get coloured icons.
 * Electron picks the `@2x` sibling of each file on high-density screens.
 */
export function trayIconFile(platform: NodeJS.Platform, streaming: boolean): string {
  if (platform === 'darwin') return streaming ? 'trayStreamingTemplate.png' : 'trayTemplate.png';
  return streaming ? 'tray-streaming.png' : 'tray.png';
}

function cameraItem(camera: CameraView, actions: TrayActions): TrayMenuItem {
  const status = camera.running ? STATE_LABEL[camera.state].toLowerCase() : 'stopped';
  const detail = cameraStatusLine(camera, Date.now());
  const viewers = camera.viewers > 0 ? `, ${camera.viewers} viewer${camera.viewers === 1 ? '' : 's'}` : '';
  return {
    label: `${camera.name} — ${status}${viewers}`,
    type: 'submenu',
    submenu: [
      camera.running
        ? { label: 'Stop', click: () => actions.stopCamera(camera.deviceId) }
        : { label: 'Start', click: () => actions.startCamera(camera.deviceId) },
      { label: 'Copy URL', click: () => actions.copyUrl(camera.url) },
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
