// Updates from the GitHub releases the release workflow publishes, through electron-updater: a
// check at start and daily (unless the Update checks setting is off), the download in the
// background, and "Restart to update" (tray and window) once it is ready. A restart never cuts a
// streaming camera off without asking. macOS installs only a signed build (Squirrel.Mac), so there
// the app says a new version is available and links to its release page instead of downloading.

import electronUpdater from 'electron-updater';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UpdateView } from '../../shared/api.js';
import type { Logger } from '../log.js';

/** How often a running app looks again. */
const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

export interface UpdatesOptions {
  platform: NodeJS.Platform;
  logger: Logger;
  /** Where electron-builder put app-update.yml (process.resourcesPath), for the release page's address. */
  resourcesPath: string;
  /** The Update checks setting. */
  checksEnabled(): boolean;
  /** How many cameras stream now. */
  streaming(): Promise<number>;
  /** Asked before a restart that stops `streaming` cameras; true to restart now. */
  confirmRestart(streaming: number): Promise<boolean>;
  /** A newer version: ready to install, or (macOS) available to download. */
  found(update: UpdateView): void;
}

export interface Updates {
  /** Checks now (if the setting allows) and then daily. */
  start(): void;
  /** Installs the downloaded update and restarts, once the user agreed if a camera streams. */
  restart(): Promise<void>;
}

export function createUpdates(options: UpdatesOptions): Updates {
  const { autoUpdater } = electronUpdater;
  const { logger } = options;
  const manual = options.platform === 'darwin';
  autoUpdater.autoDownload = !manual;
  autoUpdater.logger = {
    info: (message?: unknown) => logger.info({ updater: String(message) }, 'updater'),
    warn: (message?: unknown) => logger.warn({ updater: String(message) }, 'updater'),
    error: (message?: unknown) => logger.warn({ updater: String(message) }, 'updater error'),
    debug: (message: string) => logger.debug({ updater: message }, 'updater'),
  };
  autoUpdater.on('update-downloaded', (info) => options.found({ state: 'ready', version: info.version }));
  if (manual) {
    autoUpdater.on('update-available', (info) => {
      const url = releasePage(options.resourcesPath, info.version);
      options.found({ state: 'available', version: info.version, ...(url ? { url } : {}) });
    });
  }
  autoUpdater.on('error', (error) => logger.warn({ err: error }, 'update check or download failed'));
  const check = (): void => {
    if (!options.checksEnabled()) return;
    autoUpdater.checkForUpdates().catch(() => undefined); // reported by the 'error' event
  };
  return {
    start() {
      check();
      setInterval(check, CHECK_EVERY_MS);
    },
    async restart() {
      const streaming = await options.streaming();
      if (streaming > 0 && !(await options.confirmRestart(streaming))) return;
      // Not silent, and the new version starts: the user asked to restart.
      autoUpdater.quitAndInstall(false, true);
    },
  };
}

/**
 * The GitHub release page of `version`, from app-update.yml (electron-builder writes the publish
 * settings there: provider, owner, repo); undefined when there is none (not a packaged build).
 */
export function releasePage(resourcesPath: string, version: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*['"]?([\\w.-]+)['"]?\\s*$`, 'm').exec(text)?.[1];
  const owner = field('owner');
  const repo = field('repo');
  return field('provider') === 'github' && owner && repo ? `https://github.com/${owner}/${repo}/releases/tag/v${version}` : undefined;
}
