// Secrets in one file in the data directory, `secrets.json` (0600, written atomically).
// With a passphrase each secret is sealed with AES-256-GCM under a key derived by scrypt; the
// secret's name is the AAD, so a sealed value cannot be moved to another name unnoticed. Without
// one (headless, nothing better available) values are stored as they are and `protection` says so.

import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CorruptDataError, DataVersionError, SecretsLockedError, checkVersion } from './errors.js';
import { keepAside } from './keep-aside.js';
import { writePrivateFile } from './private-files.js';
import { createSerial } from '../serial.js';
import type { SecretName, SecretStore } from './types.js';

export const SECRETS_FILE = 'secrets.json';
export const PASSPHRASE_ENV = 'ARLO_RTSP_PASSPHRASE';
export const PASSPHRASE_PROTECTION = 'passphrase (scrypt + AES-256-GCM)';
export const PLAIN_PROTECTION = 'plain file (0600)';

/** Opens (or starts) `<dir>/secrets.json`; encrypted when `passphrase` is given. A plain file is encrypted on the first open with a passphrase. */
export async function openFileSecretStore(dir: string, passphrase?: string): Promise<SecretStore> {
  const path = join(dir, SECRETS_FILE);
  const existing = await load(path);
  if (passphrase === undefined || passphrase === '') {
    if (existing?.kind === 'scrypt-aes-256-gcm') {
      throw new SecretsLockedError(path, `${path} is protected by a passphrase; set ${PASSPHRASE_ENV} to unlock it.`);
    }
    return new FileSecretStore(path, new PlainCodec(), existing?.kind === 'plain' ? existing.secrets : {});
  }
  if (existing?.kind === 'scrypt-aes-256-gcm') {
    const codec = await SealedCodec.unlock(path, passphrase, existing);
    return new FileSecretStore(path, codec, existing.secrets);
  }
  const codec = await SealedCodec.create(passphrase);
  const store = new FileSecretStore(path, codec, {});
  // Seal whatever was kept in plain before a passphrase was set, and write the file now so the
  // passphrase is bound to it from the first run.
  await store.replaceAll(existing?.kind === 'plain' ? existing.secrets : {});
  return store;
}

// scrypt cost: 128 MiB and a few hundred ms once per start; OWASP's recommended minimum is N=2^17, r=8, p=1.
const KDF = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const CHECK_NAME = '#check';
const CHECK_TEXT = 'arlo-rtsp secrets';

const sealedValue = z.object({ iv: z.base64(), tag: z.base64(), data: z.base64() });
type SealedValue = z.infer<typeof sealedValue>;
const secretNames = z.enum(['arloToken', 'clientPrivateKey', 'lanPassword', 'trustedBrowserCode', 'webAccessToken']);
const fileSchema = z.discriminatedUnion('kind', [
  z.object({ version: z.literal(1), kind: z.literal('plain'), secrets: z.partialRecord(secretNames, z.string()) }),
  z.object({
    version: z.literal(1),
    kind: z.literal('scrypt-aes-256-gcm'),
    kdf: z.object({ salt: z.base64(), N: z.number().int(), r: z.number().int(), p: z.number().int() }),
    check: sealedValue,
    secrets: z.partialRecord(secretNames, sealedValue),
  }),
]);
type SecretsFile = z.infer<typeof fileSchema>;
type SealedFile = Extract<SecretsFile, { kind: 'scrypt-aes-256-gcm' }>;

interface Codec<Stored> {
  readonly protection: string;
  readonly warning?: string;
  encode(name: string, value: string): Stored;
  decode(name: string, stored: Stored): string;
  file(secrets: Partial<Record<SecretName, Stored>>): SecretsFile;
}

class FileSecretStore<Stored> implements SecretStore {
  private readonly serial = createSerial();
  readonly protection: string;
  readonly warning?: string;

  constructor(
    private readonly path: string,
    private readonly codec: Codec<Stored>,
    private secrets: Partial<Record<SecretName, Stored>>,
  ) {
    this.protection = codec.protection;
    if (codec.warning) this.warning = codec.warning;
  }

  async get(name: SecretName): Promise<string | undefined> {
    const stored = this.secrets[name];
    if (stored === undefined) return undefined;
    try {
      return this.codec.decode(name, stored);
    } catch {
      throw new SecretsLockedError(this.path, `the secret ${name} in ${this.path} fails its integrity check (edited or damaged); set it again.`);
    }
  }

  set(name: SecretName, value: string): Promise<void> {
    return this.serial(() => this.write({ ...this.secrets, [name]: this.codec.encode(name, value) }));
  }

  delete(name: SecretName): Promise<void> {
    return this.serial(async () => {
      if (!(name in this.secrets)) return;
      const { [name]: _gone, ...rest } = this.secrets;
      await this.write(rest as Partial<Record<SecretName, Stored>>);
    });
  }

  replaceAll(values: Partial<Record<SecretName, string>>): Promise<void> {
    const sealed: Partial<Record<SecretName, Stored>> = {};
    for (const [name, value] of Object.entries(values) as [SecretName, string][]) sealed[name] = this.codec.encode(name, value);
    return this.serial(() => this.write(sealed));
  }

  private async write(secrets: Partial<Record<SecretName, Stored>>): Promise<void> {
    // Memory changes only once the file is safely replaced, so a failed write changes nothing.
    await writePrivateFile(this.path, `${JSON.stringify(this.codec.file(secrets), null, 2)}\n`);
    this.secrets = secrets;
  }
}

class PlainCodec implements Codec<string> {
  readonly protection = PLAIN_PROTECTION;
  readonly warning = 'Secrets are stored in a plain file readable only by you; set ARLO_RTSP_PASSPHRASE to encrypt them.';
  encode(_name: string, value: string): string {
    return value;
  }
  decode(_name: string, stored: string): string {
    return stored;
  }
  file(secrets: Partial<Record<SecretName, string>>): SecretsFile {
    return { version: 1, kind: 'plain', secrets };
  }
}

class SealedCodec implements Codec<SealedValue> {
  readonly protection = PASSPHRASE_PROTECTION;

  private constructor(
    private readonly key: Buffer,
    private readonly kdf: SealedFile['kdf'],
    private readonly check: SealedValue,
  ) {}

  static async create(passphrase: string): Promise<SealedCodec> {
    const kdf = { salt: randomBytes(16).toString('base64'), ...KDF };
    const key = await deriveKey(passphrase, kdf);
    return new SealedCodec(key, kdf, seal(key, CHECK_NAME, CHECK_TEXT));
  }

  static async unlock(path: string, passphrase: string, file: SealedFile): Promise<SealedCodec> {
    const key = await deriveKey(passphrase, file.kdf);
    let check: string | undefined;
    try {
      check = open(key, CHECK_NAME, file.check);
    } catch {
      check = undefined;
    }
    if (check !== CHECK_TEXT) {
      throw new SecretsLockedError(
        path,
        `the passphrase does not unlock ${path}; give the passphrase it was made with (${PASSPHRASE_ENV}). Nothing was changed.`,
      );
    }
    return new SealedCodec(key, file.kdf, file.check);
  }

  encode(name: string, value: string): SealedValue {
    return seal(this.key, name, value);
  }
  decode(name: string, stored: SealedValue): string {
    return open(this.key, name, stored);
  }
  file(secrets: Partial<Record<SecretName, SealedValue>>): SecretsFile {
    return { version: 1, kind: 'scrypt-aes-256-gcm', kdf: this.kdf, check: this.check, secrets };
  }
}

function deriveKey(passphrase: string, kdf: SealedFile['kdf']): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function seal(key: Buffer, name: string, value: string): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`arlo-rtsp:${name}`, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, name: string, sealed: SealedValue): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(`arlo-rtsp:${name}`, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

async function load(path: string): Promise<SecretsFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let reason: string;
  try {
    const json: unknown = JSON.parse(text);
    checkVersion(path, json, 1);
    const parsed = fileSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    reason = z.prettifyError(parsed.error).split('\n')[0] ?? 'schema mismatch';
  } catch (error) {
    if (error instanceof DataVersionError) throw error;
    reason = error instanceof Error ? error.message : String(error);
  }
  throw new CorruptDataError(path, await keepAside(path), reason);
}
