import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SecretsLockedError } from '../../src/main/store/errors.js';
import type { SecretName, SecretStore } from '../../src/main/store/types.js';
import { MARKER_FILE } from '../../src/main/store/private-files.js';

delete process.env.ARLO_RTSP_PASSPHRASE;
let root: string;
let n = 0;
const freshDir = () => join(root, `d${n++}`);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'store-secrets-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const TOKEN = '2_5BtvCDVr4JzqfJ-thisIsTheArloTokenValue-q8Zr9';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const KEY_DER = privateKey.export({ type: 'pkcs1', format: 'der' });

/** Every byte under `dir`, file by file. */
async function rawFiles(dir: string): Promise<Buffer[]> {
  const names = await readdir(dir, { recursive: true });
  const files: Buffer[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) files.push(await readFile(path));
  }
  return files;
}

function assertNowhere(files: Buffer[], needles: Record<string, string | Buffer>): void {
  for (const [label, needle] of Object.entries(needles)) {
    for (const file of files) assert.equal(file.includes(needle), false, `${label} found on disk`);
  }
}

describe('secrets at rest', () => {
  it('takes only non-empty strings, and a refused value changes nothing on disk', async () => {
    const dir = freshDir();
    const store = await openDataStore(dir, { passphrase: 'p' });
    await store.secrets.set('lanPassword', 'a-long-enough-password');
    const before = await readFile(join(dir, 'secrets.json'));
    for (const value of [12345, null, undefined, '', { toString: () => 'x' }]) {
      await assert.rejects(store.secrets.set('lanPassword', value as unknown as string), /lanPassword must be a non-empty string/);
    }
    assert.deepEqual(await readFile(join(dir, 'secrets.json')), before);
    assert.equal(await (await openDataStore(dir, { passphrase: 'p' })).secrets.get('lanPassword'), 'a-long-enough-password');
  });

  it('with a passphrase, no token or private-key bytes appear anywhere in the data dir', async () => {
    const dir = freshDir();
    const store = await openDataStore(dir, { passphrase: 'correct horse battery staple' });
    assert.equal(store.secrets.protection, 'passphrase (scrypt + AES-256-GCM)');
    await store.secrets.set('arloToken', TOKEN);
    await store.secrets.set('clientPrivateKey', KEY_PEM);
    await store.read();
    const files = await rawFiles(dir);
    assert.ok(files.length >= 2);
    const pemBody = KEY_PEM.split('\n').filter((line) => line && !line.startsWith('-----'));
    assertNowhere(files, {
      token: TOKEN,
      'token (base64)': Buffer.from(TOKEN).toString('base64'),
      'key DER': KEY_DER,
      'key DER (base64)': KEY_DER.toString('base64'),
      'key DER (base64, a 40-char slice)': KEY_DER.toString('base64').slice(100, 140),
      ...Object.fromEntries(pemBody.map((line, i) => [`PEM line ${i}`, line])),
    });
    assert.equal((await stat(join(dir, 'secrets.json'))).mode & 0o777, 0o600);

    const reopened = await openDataStore(dir, { passphrase: 'correct horse battery staple' });
    assert.equal(await reopened.secrets.get('arloToken'), TOKEN);
    assert.equal(await reopened.secrets.get('clientPrivateKey'), KEY_PEM);
    await reopened.secrets.delete('arloToken');
    assert.equal(await (await openDataStore(dir, { passphrase: 'correct horse battery staple' })).secrets.get('arloToken'), undefined);
  });

  it('a wrong passphrase is a clear error and changes nothing; none at all is one too', async () => {
    const dir = freshDir();
    await (await openDataStore(dir, { passphrase: 'right' })).secrets.set('arloToken', TOKEN);
    const before = await readFile(join(dir, 'secrets.json'));
    await assert.rejects(
      openDataStore(dir, { passphrase: 'wrong' }),
      (e: unknown) =>
        e instanceof SecretsLockedError && e.message.startsWith(`the passphrase does not unlock ${join(dir, 'secrets.json')}`),
    );
    await assert.rejects(openDataStore(dir), /protected by a passphrase; set ARLO_RTSP_PASSPHRASE/);
    assert.deepEqual(await readFile(join(dir, 'secrets.json')), before);
  });

  it('the passphrase comes from ARLO_RTSP_PASSPHRASE when not given', async () => {
    const dir = freshDir();
    process.env.ARLO_RTSP_PASSPHRASE = 'from-env';
    try {
      await (await openDataStore(dir)).secrets.set('arloToken', TOKEN);
    } finally {
      delete process.env.ARLO_RTSP_PASSPHRASE;
    }
    assert.equal(await (await openDataStore(dir, { passphrase: 'from-env' })).secrets.get('arloToken'), TOKEN);
  });

  it('a sealed value moved to another name fails its check (the name is bound as AAD)', async () => {
    const dir = freshDir();
    await (await openDataStore(dir, { passphrase: 'p' })).secrets.set('arloToken', TOKEN);
    const path = join(dir, 'secrets.json');
    const file = JSON.parse(await readFile(path, 'utf8'));
    file.secrets.lanPassword = file.secrets.arloToken;
    await (await import('node:fs/promises')).writeFile(path, JSON.stringify(file));
    const store = await openDataStore(dir, { passphrase: 'p' });
    assert.equal(await store.secrets.get('arloToken'), TOKEN);
    await assert.rejects(store.secrets.get('lanPassword'), /lanPassword .* fails its integrity check/);
  });

  it('without a passphrase: a 0600 plain file, and protection says so; a later passphrase seals it', async () => {
    const dir = freshDir();
    const store = await openDataStore(dir);
    assert.equal(store.secrets.protection, 'plain file (0600)');
    await Promise.all([store.secrets.set('arloToken', TOKEN), store.secrets.set('lanPassword', 'pw-123')]);
    assert.equal((await stat(join(dir, 'secrets.json'))).mode & 0o777, 0o600);
    assert.equal(await (await openDataStore(dir)).secrets.get('lanPassword'), 'pw-123');
    // The scan below would find the token in this plain file: proof that it can fail.
    assert.ok((await rawFiles(dir)).some((file) => file.includes(TOKEN)));

    const sealed = await openDataStore(dir, { passphrase: 'now-sealed' });
    assert.equal(await sealed.secrets.get('arloToken'), TOKEN);
    assertNowhere(await rawFiles(dir), { token: TOKEN });
  });

  it('a shell-provided secret store is used as is', async () => {
    const values = new Map<SecretName, string>();
    const keychain: SecretStore = {
      protection: 'keychain',
      get: async (name) => values.get(name),
      set: async (name, value) => void values.set(name, value),
      delete: async (name) => void values.delete(name),
    };
    const dir = freshDir();
    const store = await openDataStore(dir, { secrets: keychain, passphrase: 'ignored' });
    await store.secrets.set('arloToken', TOKEN);
    assert.equal(values.get('arloToken'), TOKEN);
    assert.equal(store.secrets.protection, 'keychain');
    assert.deepEqual(await readdir(dir), [MARKER_FILE]);
  });
});
