// "Launch at login" on each OS. Electron's app.setLoginItemSettings works on macOS and Windows
// only (docs/api/app.md marks it so; on Linux it does nothing), so Linux gets an XDG autostart
// entry: a .desktop file in $XDG_CONFIG_HOME/autostart (default ~/.config/autostart), which
// desktops compliant with the freedesktop.org Desktop Application Autostart spec run at login.
// The login item starts the app with HIDDEN_ARG, so it waits in the tray.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Passed by the login item so a start at login stays in the tray. */
export const HIDDEN_ARG = '--hidden';

export interface LoginItemTarget {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
  /** The program and arguments that start this app (see `launchCommand`). */
  command: string[];
  /** The app's name, shown by the desktop's list of startup programs. */
  name: string;
  /** Electron's app.setLoginItemSettings (macOS, Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean; args: string[] }): void;
}

export function setLaunchAtLogin(openAtLogin: boolean, target: LoginItemTarget): void {
  if (target.platform === 'darwin' || target.platform === 'win32') {
    target.setLoginItemSettings({ openAtLogin, args: [HIDDEN_ARG] });
    return;
  }
  const path = autostartEntryPath(target.env, target.home);
  if (!openAtLogin) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, autostartEntry(target.name, [...target.command, HIDDEN_ARG]));
}

/** Where this app's XDG autostart entry lives. */
export function autostartEntryPath(env: Record<string, string | undefined>, home: string): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, 'autostart', 'arlo-local-rtsp.desktop');
}

/**
 * How to start this app again: an AppImage by its image file (APPIMAGE; the running executable is
 * inside a mount that changes each time), a packaged app by its executable, and in development the
 * Electron binary with the app's directory.
 */
export function launchCommand(options: { env: Record<string, string | undefined>; execPath: string; isPackaged: boolean; appPath: string }): string[] {
  if (options.env.APPIMAGE) return [options.env.APPIMAGE];
  return options.isPackaged ? [options.execPath] : [options.execPath, options.appPath];
}

/** A Desktop Entry (freedesktop.org Desktop Entry spec) starting `command` at login. */
export function autostartEntry(name: string, command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    `Exec=${command.map(execArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * One argument of Exec: quoted when it holds a reserved character (the spec's list), with `"`, `` ` ``,
 * `$` and `\` escaped inside quotes; `%` doubled (field codes); then `\` escaped again, as in any
 * string value of the file.
 */
function execArgument(arg: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}
