// "Open in VLC": find VLC where its installers put it on Windows, macOS and Linux, start it with
// the stream URL, and fall back to the system's handler for rtsp:// when it is not there. Path
// finding is a pure function of platform, environment and a file-exists check, so it is tested
// on any OS. No Electron import: main.ts passes shell.openExternal in.

import { spawn as nodeSpawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { posix, win32 } from 'node:path';

export interface FindVlcInput {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Whether an executable file exists at this path. */
  exists(path: string): boolean;
}

/** Where VLC may be, most likely first. */
export function vlcCandidates({ platform, env }: Omit<FindVlcInput, 'exists'>): string[] {
  if (platform === 'win32') {
    const roots = [env.ProgramFiles, env.ProgramW6432, env['ProgramFiles(x86)'], env.LOCALAPPDATA && win32.join(env.LOCALAPPDATA, 'Programs')];
    const installed = roots.filter((r): r is string => !!r).map((root) => win32.join(root, 'VideoLAN', 'VLC', 'vlc.exe'));
    return unique([...installed, ...onPath(env.Path ?? env.PATH, win32, 'vlc.exe', ';')]);
  }
  if (platform === 'darwin') {
    const home = env.HOME ? [posix.join(env.HOME, 'Applications/VLC.app/Contents/MacOS/VLC')] : [];
    return ['/Applications/VLC.app/Contents/MacOS/VLC', ...home];
  }
  return unique([
    ...onPath(env.PATH, posix, 'vlc', ':'),
    '/snap/bin/vlc',
    '/var/lib/flatpak/exports/bin/org.videolan.VLC',
    ...(env.HOME ? [posix.join(env.HOME, '.local/share/flatpak/exports/bin/org.videolan.VLC')] : []),
  ]);
}

/** The first VLC executable that exists, or undefined. */
export function findVlc(input: FindVlcInput): string | undefined {
  return vlcCandidates(input).find((path) => input.exists(path));
}

export interface OpenInPlayerDeps {
  openExternal(url: string): Promise<void>;
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  spawn?: (command: string, args: string[], env: Record<string, string | undefined>) => Promise<void>;
}

export class PlayerUrlError extends Error {
  readonly code = 'bad-player-url';
}

/** Opens an rtsp:// URL in VLC, or in whatever the system has registered for rtsp://. */
export async function openInPlayer(url: string, deps: OpenInPlayerDeps): Promise<'vlc' | 'system'> {
  // Only stream URLs: never hand the OS an arbitrary scheme to open.
  if (!/^rtsps?:\/\//i.test(url)) throw new PlayerUrlError(`Not an RTSP URL: ${url}`);
  const env = outsideAppImage(deps.env ?? process.env);
  const vlc = findVlc({ platform: deps.platform ?? process.platform, env, exists: deps.exists ?? isExecutable });
  if (vlc) {
    try {
      await (deps.spawn ?? spawnDetached)(vlc, [url], env);
      return 'vlc';
    } catch {
      // VLC there but not startable (moved, no permission): the system handler may still do it.
    }
  }
  await deps.openExternal(url);
  return 'system';
}

/**
 * The environment as it was before an AppImage started us. Its runtime mounts the image at APPDIR
 * and puts its own directories first on PATH and LD_LIBRARY_PATH; VLC started with them would find
 * and load the app's bundled libraries instead of its own. Those entries, and the AppImage's own
 * variables, are left out; outside an AppImage the environment is kept as it is.
 */
export function outsideAppImage(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const appDir = env.APPDIR;
  if (!appDir || !env.APPIMAGE) return env;
  const { APPDIR: _appDir, APPIMAGE: _appImage, ARGV0: _argv0, OWD: _owd, ...rest } = env;
  for (const name of ['PATH', 'LD_LIBRARY_PATH'] as const) {
    const kept = (env[name] ?? '').split(':').filter((dir) => dir !== '' && dir !== appDir && !dir.startsWith(`${appDir}/`));
    if (kept.length > 0) rest[name] = kept.join(':');
    else delete rest[name];
  }
  return rest;
}

function onPath(pathVar: string | undefined, path: typeof posix, exe: string, separator: string): string[] {
  return (pathVar ?? '').split(separator).filter((dir) => dir !== '').map((dir) => path.join(dir, exe));
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Starts a program that outlives us; resolves once it has started, rejects if it could not. */
function spawnDetached(command: string, args: string[], env: Record<string, string | undefined>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = nodeSpawn(command, args, { detached: true, stdio: 'ignore', windowsHide: false, env });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
