// The desktop SecretStore: values encrypted by Electron's safeStorage (the OS keychain: Keychain
// on macOS, DPAPI on Windows, libsecret/KWallet on Linux) and kept, as base64, in an electron-store
// file. The backend in use is recorded: Linux without a keyring falls back to `basic_text`, which
// only obfuscates with a fixed key, so the user is asked before any secret is stored that way.

import type { SafeStorage } from 'electron';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SecretName, SecretStore } from '../store/types.js';

/** The part of an electron-store instance used here (`get`/`set`/`delete` by dotted key). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

export interface SafeStorageSecretStoreOptions {
  safeStorage: SafeStorageLike;
  store: KeyValueStore;
  platform: NodeJS.Platform;
  /** Asked once before secrets go to Linux's `basic_text`; resolving false refuses to start. */
  confirmWeakStorage(): Promise<boolean>;
  logger: Logger;
}

export async function openSafeStorageSecretStore(options: SafeStorageSecretStoreOptions): Promise<SecretStore> {
  const { safeStorage, store, logger } = options;
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    throw new AppError('keychain-unavailable', 'The system keychain is not available, so sign-in and certificate keys cannot be stored safely. Unlock or set up the keychain, then start the app again.');
  }
  const backend = backendName(options);
  const previous = store.get('backend');
  if (backend === 'basic_text' && store.get('weakStorageAccepted') !== true) {
    logger.warn('no keyring found: safeStorage would use basic_text');
    if (!(await options.confirmWeakStorage())) {
      throw new AppError('weak-secret-storage', 'No keyring (GNOME Keyring or KWallet) was found. Install and unlock one, then start the app again.');
    }
    store.set('weakStorageAccepted', true);
  }
  if (typeof previous === 'string' && previous !== backend) {
    // Values encrypted by another backend will not decrypt; they read as missing and the app asks again.
    logger.warn({ previous, backend }, 'secret storage backend changed; stored secrets may need to be entered again');
  }
  store.set('backend', backend);
  logger.info({ backend }, 'secrets stored with safeStorage');

  const key = (name: SecretName) => `secrets.${name}`;
  const write = async (name: SecretName, value: string) => {
    store.set(key(name), (await safeStorage.encryptStringAsync(value)).toString('base64'));
  };
  return {
    protection: backend === 'basic_text' ? 'basic_text (weak: no keyring found)' : `system keychain (${backend})`,
    async get(name) {
      const stored = store.get(key(name));
      if (typeof stored !== 'string') return undefined;
      try {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
        if (shouldReEncrypt) await write(name, result);
        return result;
      } catch (error) {
        logger.warn({ err: error, name }, 'a stored secret could not be decrypted; treating it as missing');
        return undefined;
      }
    },
    set: write,
    async delete(name) {
      store.delete(key(name));
    },
  };
}

function backendName({ platform, safeStorage }: SafeStorageSecretStoreOptions): string {
  if (platform === 'linux') return safeStorage.getSelectedStorageBackend();
  return platform === 'darwin' ? 'macOS Keychain' : platform === 'win32' ? 'Windows DPAPI' : platform;
}
