// A stand-in for electron-updater 6's `autoUpdater` (register.mjs maps `electron-updater` here),
// reading a local feed over real HTTP instead of GitHub releases. Each rule follows
// electron-updater's source (node_modules/electron-updater/out/*.js) or electron-builder's
// auto-update docs, cited beside it. The feed is HARNESS_UPDATE_FEED, the URL of a folder holding
// what the release workflow publishes: the channel file (latest.yml, latest-mac.yml,
// latest-linux.yml) and the installers it names.
'use strict';

const { EventEmitter } = require('node:events');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const yaml = require('js-yaml');
const semver = require('semver');
const electron = require('electron');

const { app } = electron;
const record = electron.__harness.record.updater;

class AppUpdater extends EventEmitter {
  /** AppUpdater.js: both default to true. */
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = false;
  forceDevUpdateConfig = false;
  logger = console;
  #downloaded;
  #checking;

  /** AppUpdater.isUpdaterActive: only a packaged app (or a forced dev config) checks. */
  isUpdaterActive() {
    if (!(app.isPackaged || this.forceDevUpdateConfig)) {
      this.logger?.info?.('Skip checkForUpdates because application is not packed and dev update config is not forced');
      return false;
    }
    return true;
  }

  /** AppUpdater.checkForUpdates: null when inactive; one check at a time; 'error' emitted and the promise rejected on failure. */
  checkForUpdates() {
    if (!this.isUpdaterActive()) return Promise.resolve(null);
    this.#checking ??= this.#check().finally(() => { this.#checking = undefined; });
    return this.#checking;
  }

  async #check() {
    record.checks += 1;
    this.emit('checking-for-update');
    try {
      // Provider.getChannelFilePrefix: "-linux" (x64; "-linux-<arch>" otherwise), "-mac", none on Windows.
      const prefix = process.platform === 'linux' ? (process.arch === 'x64' ? '-linux' : `-linux-${process.arch}`) : process.platform === 'darwin' ? '-mac' : '';
      const feed = process.env.HARNESS_UPDATE_FEED;
      if (!feed) throw new Error('HARNESS_UPDATE_FEED is not set');
      const channelUrl = new URL(`latest${prefix}.yml`, feed.endsWith('/') ? feed : `${feed}/`);
      const response = await fetch(channelUrl);
      if (!response.ok) throw new Error(`Cannot find channel "latest${prefix}.yml" update info: HttpError: ${response.status}`);
      const info = yaml.load(await response.text());
      // AppUpdater.isUpdateAvailable: newer by semver (older only with allowDowngrade).
      const current = app.getVersion();
      if (!semver.gt(info.version, current)) {
        this.emit('update-not-available', info);
        return { isUpdateAvailable: false, updateInfo: info, versionInfo: info };
      }
      this.emit('update-available', info);
      const result = { isUpdateAvailable: true, updateInfo: info, versionInfo: info };
      if (this.autoDownload) result.downloadPromise = this.#download(info, channelUrl);
      return result;
    } catch (error) {
      this.emit('error', error, String(error?.stack ?? error));
      throw error;
    }
  }

  /** downloadUpdate: for autoDownload false. */
  downloadUpdate() { return Promise.reject(new Error('Please check update first')); }

  /** The file, its sha512 (base64, as the channel file states it) checked, then 'update-downloaded'. */
  async #download(info, channelUrl) {
    try {
      const file = info.files?.[0];
      if (!file) throw new Error('No files provided');
      const response = await fetch(new URL(file.url, channelUrl));
      if (!response.ok) throw new Error(`Cannot download "${file.url}", status ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      const sha512 = createHash('sha512').update(bytes).digest('base64');
      if (sha512 !== file.sha512) throw new Error(`sha512 checksum mismatch, expected ${file.sha512}, got ${sha512}`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-update-'));
      const downloadedFile = path.join(dir, path.basename(file.url));
      fs.writeFileSync(downloadedFile, bytes);
      this.#downloaded = downloadedFile;
      record.downloaded.push(file.url);
      this.emit('update-downloaded', { ...info, downloadedFile });
      return [downloadedFile];
    } catch (error) {
      this.emit('error', error, String(error?.stack ?? error));
      throw error;
    }
  }

  /**
   * BaseUpdater.quitAndInstall: with nothing downloaded it only logs; else the installer is started,
   * then, in a task of its own, app.quit() (the app's quit handlers run as for any quit).
   * MacUpdater needs Squirrel.Mac and a signed app; this stand-in plays the Windows and Linux ones.
   */
  quitAndInstall(isSilent = false, isForceRunAfter = false) {
    if (!this.#downloaded) {
      this.logger?.warn?.('No update available, call checkForUpdates() and wait for update-downloaded');
      return;
    }
    // BaseUpdater.install logs this as it starts the installer.
    this.logger?.info?.(`Install: isSilent: ${isSilent}, isForceRunAfter: ${isForceRunAfter}`);
    record.installs.push({ file: this.#downloaded, isSilent, isForceRunAfter });
    setImmediate(() => app.quit());
  }
}

const autoUpdater = new AppUpdater();
module.exports = { autoUpdater, AppUpdater };
