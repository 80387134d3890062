// The app's data directory: settings.json (validated, atomic, serialized writes) and the secrets.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { newClientIdentity } from '../arlo/identity.js';
import { silentLogger, type Logger } from '../log.js';
import { CorruptDataError, DataVersionError, checkVersion } from './errors.js';
import { keepAside } from './keep-aside.js';
import { preparePrivateDir, writePrivateFile } from './private-files.js';
import { DATA_VERSION, appDataSchema } from './schema.js';
import { PASSPHRASE_ENV, SECRETS_FILE, openFileSecretStore } from './secret-file.js';
import { createSerial } from '../serial.js';
import type { AppData, DataStore, SecretStore } from './types.js';

export const SETTINGS_FILE = 'settings.json';

export interface OpenDataStoreOptions {
  /** Encrypts the secrets file; defaults to $ARLO_RTSP_PASSPHRASE. Ignored when `secrets` is given. */
  passphrase?: string;
  /** A secret store of the shell's own (the desktop's keychain-backed one). */
  secrets?: SecretStore;
  logger?: Logger;
  /** The directory also holds the shell's own files (the desktop's userData); see `preparePrivateDir`. */
  sharedDir?: boolean;
}

/** Opens (creating if needed) the data directory `dir`. Fails on a wrong passphrase, never on corrupt settings (`read` reports those). */
export async function openDataStore(dir: string, options: OpenDataStoreOptions = {}): Promise<DataStore> {
  const absolute = resolve(dir);
  await preparePrivateDir(absolute, { ownFiles: [SETTINGS_FILE, SECRETS_FILE], ...(options.sharedDir ? { shared: true } : {}) });
  const secrets = options.secrets ?? (await openFileSecretStore(absolute, options.passphrase ?? process.env[PASSPHRASE_ENV]));
  return new FileDataStore(absolute, secrets, options.logger ?? silentLogger);
}

/** The data of a first run: fresh random ids, safe defaults (loopback only). */
export function defaultAppData(): AppData {
  return {
    version: DATA_VERSION,
    settings: {
      listenAddress: '127.0.0.1',
      portBase: 8556,
      launchAtLogin: false,
      lingerSeconds: 5,
      lanAllowBasic: false,
      requireAccessToken: false,
      onvif: false,
      onvifAddresses: {},
      installationId: randomUUID(),
      ...newClientIdentity(),
    },
    account: {},
    baseStations: [],
    cameras: [],
  };
}

class FileDataStore implements DataStore {
  private readonly serial = createSerial();
  private readonly path: string;
  private cached: AppData | undefined;

  constructor(
    readonly dir: string,
    readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {
    this.path = join(dir, SETTINGS_FILE);
  }

  read(): Promise<AppData> {
    return this.serial(async () => structuredClone(await this.current()));
  }

  update(change: (data: AppData) => void): Promise<AppData> {
    return this.serial(async () => {
      const data = structuredClone(await this.current());
      change(data);
      const checked = appDataSchema.safeParse(data);
      // A bad change is the caller's bug: refuse it before it reaches the disk.
      if (!checked.success) throw new Error(`refused to save invalid settings: ${z.prettifyError(checked.error)}`);
      await this.save(checked.data);
      this.cached = checked.data;
      return structuredClone(checked.data);
    });
  }

  /**
   * The data as last read or written: the file is read and validated once, then every change is
   * written through, so publishing state (up to twice a second while streaming) touches no disk.
   * Only ever called inside `serial`.
   */
  private async current(): Promise<AppData> {
    this.cached ??= await this.load();
    return this.cached;
  }

  /** Only ever called inside `serial`. */
  private async load(): Promise<AppData> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const fresh = defaultAppData();
      await this.save(fresh);
      this.log.info({ dir: this.dir }, 'created settings with defaults');
      return fresh;
    }
    let reason: string;
    try {
      const json: unknown = JSON.parse(text);
      checkVersion(this.path, json, DATA_VERSION);
      const parsed = appDataSchema.safeParse(json);
      if (parsed.success) {
        // An identity completed on load is kept from now on, or the next start would make another.
        if ((json as { settings?: { userAgent?: unknown } }).settings?.userAgent === undefined) await this.save(parsed.data);
        return parsed.data;
      }
      reason = z.prettifyError(parsed.error).replace(/\n\s*/g, ' ');
    } catch (error) {
      if (error instanceof DataVersionError) throw error;
      reason = error instanceof Error ? error.message : String(error);
    }
    const keptAs = await keepAside(this.path);
    this.log.warn({ file: this.path, keptAs, reason }, 'settings unreadable; kept aside');
    throw new CorruptDataError(this.path, keptAs, reason);
  }

  private save(data: AppData): Promise<void> {
    return writePrivateFile(this.path, `${JSON.stringify(data, null, 2)}\n`);
  }
}
