// The desktop SecretStore against a fake safeStorage that really encrypts (AES-256-GCM with a
// fixed test key, Electron 45's async method names and signatures) and `conf`, the engine under
// `conf` (the store main.ts uses), writing its real JSON file in a temp dir.

import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Conf from 'conf';
import { AppError } from '../../src/main/errors.js';
import { silentLogger } from '../../src/main/log.js';
import {
  openSafeStorageSecretStore,
  SecretUnreadableError,
  unreadableSecretsMessage,
  type SafeStorageLike,
  type SafeStorageSecretStoreOptions,
} from '../../src/main/electron/secret-store.js';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** A keychain: AES-256-GCM under `key`; another key is another keychain. */
function fakeSafeStorage(key: Buffer, options: { available?: boolean; backend?: Backend; reEncrypt?: boolean } = {}) {
  const calls = { encrypt: 0 };
  const safeStorage: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    async encryptStringAsync(plainText: string): Promise<Buffer> {
      calls.encrypt++;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async decryptStringAsync(encrypted: Buffer) {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      const result = Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
      return { result, shouldReEncrypt: options.reEncrypt ?? false };
    },
  };
  return { safeStorage, calls };
}

const root = mkdtempSync(join(tmpdir(), 'electron-secret-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
function confStore() {
  const cwd = join(root, String(dirs++));
  return { store: new Conf<Record<string, unknown>>({ cwd, configName: 'secrets' }), file: join(cwd, 'secrets.json') };
}

const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const TOKEN = '2_e9QwThisIsAnArloTokenValue';
const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

function options(overrides: Partial<SafeStorageSecretStoreOptions> & Pick<SafeStorageSecretStoreOptions, 'store'>): SafeStorageSecretStoreOptions {
  return {
    safeStorage: fakeSafeStorage(KEY_A).safeStorage,
    platform: 'linux',
    confirmWeakStorage: async () => assert.fail('no confirmation expected with a keyring'),
    logger: silentLogger,
    ...overrides,
  };
}

describe('desktop secret store (safeStorage + conf)', () => {
  it('round-trips set/get/delete and keeps only ciphertext on disk', async () => {
    const { store, file } = confStore();
    const secrets = await openSafeStorageSecretStore(options({ store }));
    assert.equal(await secrets.get('arloToken'), undefined);
    await secrets.set('arloToken', TOKEN);
    await secrets.set('clientPrivateKey', PRIVATE_KEY);
    assert.equal(await secrets.get('arloToken'), TOKEN);
    assert.equal(await secrets.get('clientPrivateKey'), PRIVATE_KEY);

    const onDisk = readFileSync(file, 'utf8');
    for (const secret of [TOKEN, PRIVATE_KEY, 'MIIEvAIBADANBgkqhkiG9w0BAQEFAASC', 'e9QwThisIsAnArloToken']) {
      for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), JSON.stringify(secret)]) {
        assert.ok(!onDisk.includes(form), `${JSON.stringify(form.slice(0, 20))} not on disk`);
      }
    }
    assert.equal(typeof store.get('secrets.arloToken'), 'string');

    await secrets.delete('arloToken');
    assert.equal(await secrets.get('arloToken'), undefined);
    assert.equal(store.get('secrets.arloToken'), undefined);
    assert.equal(await secrets.get('clientPrivateKey'), PRIVATE_KEY, 'delete removes only its own secret');

    // A second open (the next start) reads what the first wrote.
    const again = await openSafeStorageSecretStore(options({ store }));
    assert.deepEqual(again.unreadable, []);
    assert.equal(await again.get('clientPrivateKey'), PRIVATE_KEY);
  });

  it('records the backend and says it in `protection`', async () => {
    const linux = confStore();
    const kde = await openSafeStorageSecretStore(options({ store: linux.store, safeStorage: fakeSafeStorage(KEY_A, { backend: 'kwallet6' }).safeStorage }));
    assert.equal(kde.protection, 'system keychain (kwallet6)');
    assert.equal(linux.store.get('backend'), 'kwallet6');
    assert.equal(JSON.parse(readFileSync(linux.file, 'utf8')).backend, 'kwallet6');

    const mac = confStore();
    const macStore = await openSafeStorageSecretStore(options({ store: mac.store, platform: 'darwin' }));
    assert.equal(macStore.protection, 'system keychain (macOS Keychain)');
    assert.equal(mac.store.get('backend'), 'macOS Keychain');

    const win = confStore();
    assert.equal((await openSafeStorageSecretStore(options({ store: win.store, platform: 'win32' }))).protection, 'system keychain (Windows DPAPI)');
  });

  it('asks before using Linux basic_text once, remembers a yes, and says the storage is weak', async () => {
    const { store } = confStore();
    const { safeStorage } = fakeSafeStorage(KEY_A, { backend: 'basic_text' });
    let asked = 0;
    const confirmWeakStorage = async () => {
      asked++;
      return true;
    };
    const secrets = await openSafeStorageSecretStore(options({ store, safeStorage, confirmWeakStorage }));
    assert.equal(asked, 1);
    assert.match(secrets.protection, /^basic_text \(weak/);
    await secrets.set('arloToken', TOKEN);
    await openSafeStorageSecretStore(options({ store, safeStorage, confirmWeakStorage }));
    assert.equal(asked, 1, 'the answer is kept');
  });

  it("detects Chromium's fixed-key fallback behind a keyring backend (\"v10\" ciphertext) and warns", async () => {
    const { store } = confStore();
    const { safeStorage } = fakeSafeStorage(KEY_A, { backend: 'gnome_libsecret' });
    const fixedKey: SafeStorageLike = { ...safeStorage, encryptStringAsync: async (text) => Buffer.concat([Buffer.from('v10'), await safeStorage.encryptStringAsync(text)]) };
    const reasons: string[] = [];
    const secrets = await openSafeStorageSecretStore(options({ store, safeStorage: fixedKey, confirmWeakStorage: async (reason) => (reasons.push(reason), true) }));
    assert.deepEqual(reasons, ['keyring-unanswered']);
    assert.match(secrets.protection, /^fixed key \(weak: gnome_libsecret did not answer\)$/);
    assert.match(secrets.warning ?? '', /not protected by a keyring/);

    const answering = await openSafeStorageSecretStore(options({ store: confStore().store }));
    assert.equal(answering.warning, undefined, 'a keyring that answers: no warning');
    const mac = await openSafeStorageSecretStore(options({ store: confStore().store, platform: 'darwin', safeStorage: fixedKey }));
    assert.equal(mac.warning, undefined, '"v10" is the Keychain-keyed format on macOS, not a fallback');
  });

  it('declining basic_text stores nothing and says so', async () => {
    const { store, file } = confStore();
    const { safeStorage, calls } = fakeSafeStorage(KEY_A, { backend: 'basic_text' });
    let asked = 0;
    await assert.rejects(
      openSafeStorageSecretStore(options({ store, safeStorage, confirmWeakStorage: async () => (asked++, false) })),
      (error: unknown) => error instanceof AppError && error.code === 'weak-secret-storage' && /nothing was stored/.test(error.message) && /keyring/i.test(error.message),
    );
    assert.equal(asked, 1);
    assert.equal(calls.encrypt, 0);
    assert.equal(store.size, 0, 'not even the backend is recorded');
    assert.throws(() => readFileSync(file), { code: 'ENOENT' });
  });

  it('refuses with a clear error when encryption is unavailable', async () => {
    const { store } = confStore();
    await assert.rejects(
      openSafeStorageSecretStore(options({ store, safeStorage: fakeSafeStorage(KEY_A, { available: false }).safeStorage })),
      (error: unknown) => error instanceof AppError && error.code === 'keychain-unavailable' && /Unlock or set up the keychain/.test(error.message),
    );
    assert.equal(store.size, 0);
  });

  it('reads values another keychain encrypted as absent, keeps their bytes, and names what to redo', async () => {
    const { store } = confStore();
    const first = await openSafeStorageSecretStore(options({ store }));
    await first.set('arloToken', TOKEN);
    await first.set('lanPassword', 'viewer-pass');

    // The keychain changed (another machine, a reset keychain): the old ciphertext fails to decrypt.
    const { safeStorage } = fakeSafeStorage(KEY_B);
    const second = await openSafeStorageSecretStore(options({ store, safeStorage }));
    assert.deepEqual([...second.unreadable].sort(), ['arloToken', 'lanPassword']);
    assert.equal(await second.get('arloToken'), undefined, 'absent, so the app starts signed out');
    assert.equal(typeof store.get('secrets.lanPassword'), 'string', 'the old ciphertext is kept, not destroyed');

    // The old keychain comes back: nothing was lost.
    const back = await openSafeStorageSecretStore(options({ store }));
    assert.deepEqual([...back.unreadable], []);
    assert.equal(await back.get('lanPassword'), 'viewer-pass');
    const message = unreadableSecretsMessage(second.unreadable);
    assert.match(message, /sign in again/);
    assert.match(message, /viewer password again in Settings/);

    // New values work under the new keychain.
    await second.set('arloToken', TOKEN);
    assert.equal(await second.get('arloToken'), TOKEN);
  });

  it('a value that stops decrypting while running is a typed error naming the fix', async () => {
    const { store } = confStore();
    const secrets = await openSafeStorageSecretStore(options({ store }));
    const other = fakeSafeStorage(KEY_B).safeStorage;
    store.set('secrets.clientPrivateKey', (await other.encryptStringAsync(PRIVATE_KEY)).toString('base64'));
    await assert.rejects(secrets.get('clientPrivateKey'), (error: unknown) => {
      assert.ok(error instanceof SecretUnreadableError);
      assert.equal(error.code, 'secret-unreadable');
      assert.equal(error.secret, 'clientPrivateKey');
      assert.match(error.message, /enroll your base stations again/);
      assert.ok(!error.message.includes(PRIVATE_KEY));
      return true;
    });
  });

  it('re-encrypts a value the keychain asks to re-encrypt', async () => {
    const { store } = confStore();
    const secrets = await openSafeStorageSecretStore(options({ store }));
    await secrets.set('arloToken', TOKEN);
    const before = store.get('secrets.arloToken');
    const { safeStorage, calls } = fakeSafeStorage(KEY_A, { reEncrypt: true });
    const rotated = await openSafeStorageSecretStore(options({ store, safeStorage }));
    assert.ok(calls.encrypt >= 1);
    assert.notEqual(store.get('secrets.arloToken'), before);
    assert.equal(await rotated.get('arloToken'), TOKEN);
  });
});
