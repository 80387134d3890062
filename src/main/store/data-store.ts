// The app's data directory: settings.json (validated, atomic, serialized writes) and the secrets.
// What reads and writes the file is a `SettingsDocument`: our own atomic writer headless, and
// electron-store on the desktop (src/main/electron/settings-document.ts); both hold the same JSON,
// checked by the same schema here, so a data directory moves between the shells.

import { randomUUID } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { newClientIdentity } from '../arlo/identity.js';
import { silentLogger, type Logger } from '../log.js';
import { CorruptDataError, DemoDataDirError, NoDataError, checkVersion } from './errors.js';
import { keepAside } from './keep-aside.js';
import { MARKER_FILE, preparePrivateDir, writePrivateFile } from './private-files.js';
import { DATA_VERSION, appDataSchema } from './schema.js';
import { PASSPHRASE_ENV, SECRETS_FILE, openFileSecretStore } from './secret-file.js';
import { SERVE_RECORD_FILE } from './serve-record.js';
import { createSerial } from '../serial.js';
import type { AppData, DataStore, SecretStore } from './types.js';

export const SETTINGS_FILE = 'settings.json';
/** Every file of ours in a data directory. */
const OWN_FILES = [SETTINGS_FILE, SECRETS_FILE, SERVE_RECORD_FILE] as const;

export interface OpenDataStoreOptions {
  /** Encrypts the secrets file; defaults to $ARLO_RTSP_PASSPHRASE. Ignored when `secrets` is given. */
  passphrase?: string;
  /** A secret store of the shell's own (the desktop's keychain-backed one). */
  secrets?: SecretStore;
  logger?: Logger;
  /** The directory also holds the shell's own files (the desktop's userData); see `preparePrivateDir`. */
  sharedDir?: boolean;
  /**
   * The caller reads what an earlier sign-in stored (devices, enroll, doctor): a folder without
   * settings is refused (NoDataError) rather than created.
   */
  existing?: boolean;
  /** Opened by `arlo-rtsp demo`: the folder is marked as the demo's; any other opening of a marked one is refused (DemoDataDirError). */
  demo?: boolean;
  /** What reads and writes settings.json; the default is our own atomic writer (`privateFileDocument`). */
  document?: SettingsDocument;
}

/** settings.json as JSON values: the store validates what `read` gives and what `write` gets. */
export interface SettingsDocument {
  readonly path: string;
  /** The parsed file, or undefined when there is none; throws when it is not JSON. */
  read(): Promise<unknown>;
  /** Replaces the file atomically (0600); throws a `StoreWriteError` leaving the old one intact. */
  write(data: AppData): Promise<void>;
}

/** settings.json written by `writePrivateFile` (the headless shell's). */
export function privateFileDocument(path: string): SettingsDocument {
  return {
    path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return JSON.parse(text) as unknown;
    },
    write: (data) => writePrivateFile(path, `${JSON.stringify(data, null, 2)}\n`),
  };
}

/** Opens (creating if needed) the data directory `dir`. Fails on a wrong passphrase, never on corrupt settings (`read` reports those). */
export async function openDataStore(dir: string, options: OpenDataStoreOptions = {}): Promise<DataStore> {
  const absolute = resolve(dir);
  // Both refusals come before anything is created or read with the passphrase.
  const settings = await peekSettings(absolute);
  if (options.existing && settings === undefined) throw new NoDataError(absolute);
  if (!options.demo && settings?.demo === true) throw new DemoDataDirError(absolute);
  await preparePrivateDir(absolute, { ownFiles: [...OWN_FILES], ...(options.sharedDir ? { shared: true } : {}) });
  const secrets = options.secrets ?? (await openFileSecretStore(absolute, options.passphrase ?? process.env[PASSPHRASE_ENV]));
  const document = options.document ?? privateFileDocument(join(absolute, SETTINGS_FILE));
  const store = new FileDataStore(absolute, document, secrets, options.logger ?? silentLogger);
  if (options.demo && settings?.demo !== true) await store.update((data) => { data.settings.demo = true; });
  return store;
}

/** Whether `dir` was made by `arlo-rtsp demo` (its settings carry the mark). */
export async function isDemoDataDir(dir: string): Promise<boolean> {
  return (await peekSettings(resolve(dir)))?.demo === true;
}

/** Removes this app's own files from `dir` (and nothing else), so it can start afresh: the demo's reuse of its folder. */
export async function clearDataDir(dir: string): Promise<void> {
  const ours = [...OWN_FILES, MARKER_FILE];
  for (const name of await readdir(dir)) {
    if (ours.some((file) => name === file || name.startsWith(`${file}.`))) await rm(join(dir, name), { force: true });
  }
}

/** The settings object of `dir`'s settings.json as it is on disk, undefined when there is none; `{}` when unreadable (`read` reports that). */
async function peekSettings(dir: string): Promise<{ demo?: unknown } | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, SETTINGS_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const json = JSON.parse(text) as { settings?: { demo?: unknown } } | null;
    return json?.settings ?? {};
  } catch {
    return {};
  }
}

/** The data of a first run: fresh random ids, safe defaults (loopback only). */
export function defaultAppData(): AppData {
  return {
    version: DATA_VERSION,
    settings: {
      listenAddress: '127.0.0.1',
      portBase: 8556,
      launchAtLogin: false,
      notifications: true,
      updateChecks: true,
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
    private readonly document: SettingsDocument,
    readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {
    this.path = document.path;
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
    let reason: string;
    try {
      const json = await this.document.read();
      if (json === undefined) {
        const fresh = defaultAppData();
        await this.save(fresh);
        this.log.info({ dir: this.dir }, 'created settings with defaults');
        return fresh;
      }
      checkVersion(this.path, json, DATA_VERSION);
      const parsed = appDataSchema.safeParse(json);
      if (parsed.success) {
        // An identity completed on load is kept from now on, or the next start would make another.
        if ((json as { settings?: { userAgent?: unknown } }).settings?.userAgent === undefined) await this.save(parsed.data);
        return parsed.data;
      }
      reason = z.prettifyError(parsed.error).replace(/\n\s*/g, ' ');
    } catch (error) {
      // Not JSON is a damaged file, kept aside; anything else (a newer version, a disk error) is thrown.
      if (!(error instanceof SyntaxError)) throw error;
      reason = error.message;
    }
    const keptAs = await keepAside(this.path);
    this.log.warn({ file: this.path, keptAs, reason }, 'settings unreadable; kept aside');
    throw new CorruptDataError(this.path, keptAs, reason);
  }

  private save(data: AppData): Promise<void> {
    return this.document.write(data);
  }
}
