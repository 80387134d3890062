// The desktop's files in userData, through electron-store (conf with Electron's userData as its
// folder): settings.json, which the data store validates and caches (store/data-store.ts), and
// secrets.json, values sealed by safeStorage (secret-store.ts). Both are the JSON the headless
// shell and earlier desktop builds wrote (our own writer indents with spaces, conf with tabs; the
// values are the same), so a file an older build wrote is read as it is and rewritten by the next
// change. electron-store also answers `electron-store-get-data` on ipcMain for renderers that
// construct a store; ours cannot send it (docs/DESKTOP.md, "electron-store").

import ElectronStore from 'electron-store';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_FILE, type SettingsDocument } from '../store/data-store.js';
import { StoreWriteError } from '../store/errors.js';
import { FILE_MODE } from '../store/private-files.js';
import { SECRETS_FILE } from '../store/secret-file.js';
import type { KeyValueStore } from './secret-store.js';

type Store = ElectronStore<Record<string, unknown>>;

/** A store over `<userData>/<file>`, 0600, written atomically by conf. */
function openStore(userData: string, file: string): Store {
  return new ElectronStore<Record<string, unknown>>({ cwd: userData, name: file.replace(/\.json$/, ''), configFileMode: FILE_MODE });
}

/** settings.json, read and written whole (the data store validates it). */
export function settingsDocument(userData: string): SettingsDocument {
  const path = join(userData, SETTINGS_FILE);
  // Made on first use: conf reads the file in its constructor and throws on one that is not JSON,
  // which the data store then keeps aside; the next use opens the fresh one.
  let store: Store | undefined;
  const opened = (): Store => (store ??= openStore(userData, SETTINGS_FILE));
  return {
    path,
    // conf reads a missing file as {}; the data store wants to know there was none.
    read: async () => (existsSync(path) ? opened().store : undefined),
    async write(data) {
      try {
        opened().store = { ...data };
      } catch (error) {
        throw new StoreWriteError(path, (error as NodeJS.ErrnoException).code, error);
      }
    },
  };
}

/** notifications.json: which notices were shown today (notifications.ts). */
export function notificationsFile(userData: string): KeyValueStore {
  return openStore(userData, 'notifications.json');
}

/** secrets.json: the keychain-sealed values and what secret-store.ts notes beside them. */
export function secretsFile(userData: string): KeyValueStore {
  return openStore(userData, SECRETS_FILE);
}
