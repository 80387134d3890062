// The desktop SecretStore: values encrypted by Electron's safeStorage (the OS keychain: Keychain
// on macOS, DPAPI on Windows, libsecret/KWallet on Linux) and kept, as base64, in a `conf` JSON
// file. The backend in use is recorded. On Linux, safeStorage may only obfuscate with Chromium's
// fixed key: with the `basic_text` backend (no keyring recognised), and also when the chosen
// keyring does not answer, which neither isAsyncEncryptionAvailable() nor
// getSelectedStorageBackend() shows (the backend is picked from the desktop's name). Chromium's
// Linux ciphertext says which key it used: "v11" a key from the keyring, "v10" the fixed one
// (os_crypt; Electron's electron_api_safe_storage.cc knows both prefixes). So a probe is encrypted,
// and either way the user is asked before any secret is stored, and the state warns.
// Every stored value is decrypted once at open: one the keychain can no longer read (another
// machine, a reset keychain, a different backend) is dropped and reported, so the app starts as
// if it had never been saved and tells the user what to redo, instead of failing on each read.

import type { SafeStorage } from 'electron';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SecretName, SecretStore } from '../store/types.js';

/** The part of a `conf` instance used here (`get`/`set`/`delete` by dotted key). */
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
  /** Asked once before secrets go under the fixed key (`reason` says why); resolving false refuses to start. */
  confirmWeakStorage(reason: WeakStorageReason): Promise<boolean>;
  logger: Logger;
}

/** Why secrets would be under Chromium's fixed key: no keyring recognised, or the keyring did not answer. */
export type WeakStorageReason = 'basic_text' | 'keyring-unanswered';

export interface DesktopSecretStore extends SecretStore {
  /**
   * Secrets found at open that this keychain cannot decrypt (see `unreadableSecretsMessage`). They
   * read as absent, so the app asks for them again, but their bytes stay until a new value replaces
   * them: if the old keychain comes back, nothing was lost.
   */
  readonly unreadable: readonly SecretName[];
}

/** A stored secret the keychain cannot decrypt; the message says what to do. */
export class SecretUnreadableError extends AppError {
  override readonly name = 'SecretUnreadableError';
  constructor(
    readonly secret: SecretName,
    cause: unknown,
  ) {
    super('secret-unreadable', `The saved ${SECRETS[secret].what} cannot be decrypted with this computer's keychain (it changed since it was saved): ${SECRETS[secret].remedy}.`, { cause });
  }
}

/** One sentence for the user naming what was dropped at open and what to redo. */
export function unreadableSecretsMessage(names: readonly SecretName[]): string {
  const list = names.map((name) => `${SECRETS[name].what} (${SECRETS[name].remedy})`).join('; ');
  return `The system keychain changed since these were saved, so they cannot be read now: ${list}.`;
}

export async function openSafeStorageSecretStore(options: SafeStorageSecretStoreOptions): Promise<DesktopSecretStore> {
  const { safeStorage, store, logger } = options;
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    throw new AppError('keychain-unavailable', 'The system keychain is not available, so sign-in and certificate keys cannot be stored safely. Unlock or set up the keychain, then start the app again.');
  }
  const backend = backendName(options);
  const previous = store.get('backend');
  const weak = await weakStorageReason(options, backend);
  if (weak && store.get('weakStorageAccepted') !== true) {
    logger.warn({ backend, reason: weak }, 'safeStorage would use the fixed key');
    if (!(await options.confirmWeakStorage(weak))) {
      throw new AppError('weak-secret-storage', 'No keyring (GNOME Keyring or KWallet) answered, and nothing was stored. Install and unlock one, then start the app again.');
    }
    store.set('weakStorageAccepted', true);
  }
  if (typeof previous === 'string' && previous !== backend) {
    logger.warn({ previous, backend }, 'secret storage backend changed; stored secrets may need to be entered again');
  }
  store.set('backend', backend);
  logger.info({ backend }, 'secrets stored with safeStorage');

  const key = (name: SecretName) => `secrets.${name}`;
  const write = async (name: SecretName, value: string) => {
    store.set(key(name), (await safeStorage.encryptStringAsync(value)).toString('base64'));
  };
  const read = async (name: SecretName): Promise<string | undefined> => {
    const stored = store.get(key(name));
    if (typeof stored !== 'string') return undefined;
    let decrypted: Awaited<ReturnType<SafeStorageLike['decryptStringAsync']>>;
    try {
      decrypted = await safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
    } catch (error) {
      throw new SecretUnreadableError(name, error);
    }
    if (decrypted.shouldReEncrypt) await write(name, decrypted.result);
    return decrypted.result;
  };

  const unreadable = new Set<SecretName>();
  for (const name of SECRET_NAMES) {
    try {
      await read(name);
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      logger.warn({ err: error.cause, secret: name }, 'a stored secret could not be decrypted; it reads as absent until replaced');
      unreadable.add(name);
    }
  }

  return {
    protection: weak === 'basic_text' ? 'basic_text (weak: no keyring found)' : weak ? `fixed key (weak: ${backend} did not answer)` : `system keychain (${backend})`,
    ...(weak ? { warning: WEAK_STORAGE_WARNING[weak] } : {}),
    unreadable: [...unreadable],
    get: async (name) => (unreadable.has(name) ? undefined : read(name)),
    async set(name, value) {
      await write(name, value);
      unreadable.delete(name);
    },
    async delete(name) {
      store.delete(key(name));
      unreadable.delete(name);
    },
  };
}

/** What each secret is, to the user, and how to get it back. */
const SECRETS: Record<SecretName, { what: string; remedy: string }> = {
  arloToken: { what: 'Arlo sign-in', remedy: 'sign in again' },
  trustedBrowserCode: { what: 'trusted-device mark', remedy: 'sign in again and enter the verification code Arlo sends' },
  clientPrivateKey: { what: 'certificate key', remedy: 'enroll your base stations again' },
  lanPassword: { what: 'viewer password', remedy: 'set the viewer password again in Settings' },
  webAccessToken: { what: 'web page access token', remedy: 'a new one is made at the next start' },
};
const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

const WEAK_STORAGE_WARNING: Record<WeakStorageReason, string> = {
  basic_text: 'Secrets are not protected by a keyring: no GNOME Keyring or KWallet was found, so they are encrypted with a fixed key anyone who can read your files can undo. Set up a keyring and sign in again.',
  'keyring-unanswered': 'Secrets are not protected by a keyring: the keyring did not answer, so they are encrypted with a fixed key anyone who can read your files can undo. Unlock or repair the keyring, then restart the app.',
};

/** Linux ciphertext made with Chromium's fixed key starts with this (a keyring's key gives "v11"). */
const FIXED_KEY_PREFIX = 'v10';

async function weakStorageReason({ platform, safeStorage }: SafeStorageSecretStoreOptions, backend: string): Promise<WeakStorageReason | undefined> {
  if (platform !== 'linux') return undefined;
  if (backend === 'basic_text') return 'basic_text';
  const probe = await safeStorage.encryptStringAsync('keyring probe');
  return probe.subarray(0, FIXED_KEY_PREFIX.length).toString('latin1') === FIXED_KEY_PREFIX ? 'keyring-unanswered' : undefined;
}

function backendName({ platform, safeStorage }: SafeStorageSecretStoreOptions): string {
  if (platform === 'linux') return safeStorage.getSelectedStorageBackend();
  return platform === 'darwin' ? 'macOS Keychain' : platform === 'win32' ? 'Windows DPAPI' : platform;
}
