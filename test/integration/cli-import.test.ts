import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import { openDataStore } from '../../src/main/store/data-store.js';

delete process.env.ARLO_RTSP_PASSPHRASE;
const cli = fileURLToPath(new URL('../../src/main/headless/cli.ts', import.meta.url));
const DAY = 24 * 3600 * 1000;
let root: string;

function rsa() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey;
}
const caKey = rsa();
const clientKey = rsa();
const otherKey = rsa();
const forgeKey = (key: typeof caKey) => forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());

function certificate(subjectKey: typeof caKey, cn: string, notBefore: Date, notAfter: Date): Buffer {
  const cert = forge.pki.createCertificate();
  const subject = forgeKey(subjectKey);
  cert.publicKey = forge.pki.setRsaPublicKey(subject.n, subject.e);
  cert.serialNumber = '0' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: 'Test Arlo ICA' }]);
  cert.sign(forgeKey(caKey), forge.md.sha256.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/** As Phase1.ps1 writes it: the whole base64 on one line, PowerShell's UTF-8 BOM and CRLF. */
const pocPem = (label: string, der: Buffer) => `\uFEFF-----BEGIN ${label}-----\r\n${der.toString('base64')}\r\n-----END ${label}-----\r\n`;

const now = Date.now();
const peerDer = certificate(clientKey, 'peer', new Date(now - DAY), new Date(now + 365 * DAY));
const expiredDer = certificate(clientKey, 'old', new Date(now - 30 * DAY), new Date(now - DAY));
const icaDer = certificate(caKey, 'Test Arlo ICA', new Date(now - DAY), new Date(now + 3650 * DAY));
const clientPkcs1 = clientKey.export({ type: 'pkcs1', format: 'der' });
type FileName = 'peer' | 'key' | 'ica' | 'peerBare' | 'keyBare' | 'expired' | 'otherKey';
let files: Record<FileName, string>;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-import-'));
  files = {
    peer: join(root, 'peer.crt'),
    key: join(root, 'private_key.key'),
    ica: join(root, 'ica.crt'),
    peerBare: join(root, 'peer.b64'),
    keyBare: join(root, 'key.b64'),
    expired: join(root, 'expired.crt'),
    otherKey: join(root, 'other.key'),
  };
  await writeFile(files.peer, pocPem('CERTIFICATE', peerDer));
  await writeFile(files.key, pocPem('RSA PRIVATE KEY', clientPkcs1));
  await writeFile(files.ica, pocPem('CERTIFICATE', icaDer));
  await writeFile(files.peerBare, `${peerDer.toString('base64')}\n`);
  await writeFile(files.keyBare, clientKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'));
  await writeFile(files.expired, pocPem('CERTIFICATE', expiredDer));
  await writeFile(files.otherKey, otherKey.export({ type: 'pkcs8', format: 'pem' }).toString());
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('arlo-rtsp import', { timeout: 60_000 }, () => {
  it("imports the PoC's Phase 1 files, sealing the key with the passphrase", async () => {
    const dataDir = join(root, 'data-poc');
    const result = await run(
      ['--data-dir', dataDir, 'import', '--basestation', '4R0BS0001', '--cert', files.peer, '--key', files.key, '--ca', files.ica, '--host', '192.168.1.20'],
      { ARLO_RTSP_PASSPHRASE: 'pw' },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /imported the certificate for base station 4R0BS0001 \(expires [A-Z][a-z]{2} \d{1,2}, \d{4}\)/);
    assert.equal(result.stderr, '');

    const store = await openDataStore(dataDir, { passphrase: 'pw' });
    const [station] = (await store.read()).baseStations;
    assert.ok(station);
    assert.equal(station.deviceId, '4R0BS0001');
    assert.equal(station.host, '192.168.1.20');
    assert.equal(station.addressSource, 'typed');
    assert.equal(station.certificatePem, `-----BEGIN CERTIFICATE-----\n${peerDer.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`);
    assert.equal(station.caChainPem?.length, 1);
    assert.equal(new Date(station.certificateExpires!).getTime(), Math.floor((now + 365 * DAY) / 1000) * 1000);
    const stored = await store.secrets.get('clientPrivateKey');
    assert.equal(stored, clientKey.export({ type: 'pkcs8', format: 'pem' }).toString());

    // The key's bytes are nowhere on disk in the clear.
    const pkcs8 = clientKey.export({ type: 'pkcs8', format: 'der' });
    for (const name of await readdir(dataDir)) {
      const raw = await readFile(join(dataDir, name));
      for (const needle of [clientPkcs1, clientPkcs1.toString('base64').slice(200, 260), pkcs8.toString('base64').slice(200, 260)]) {
        assert.equal(raw.includes(needle), false, `key bytes found in ${name}`);
      }
    }
  });

  it('accepts bare base64 DER and warns when no passphrase protects the key', async () => {
    const dataDir = join(root, 'data-bare');
    const result = await run(['--data-dir', dataDir, 'import', '--basestation', 'BS2', '--cert', files.peerBare, '--key', files.keyBare]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /the private key is stored unencrypted .*set ARLO_RTSP_PASSPHRASE/);
    const store = await openDataStore(dataDir);
    assert.equal((await store.read()).baseStations[0]?.deviceId, 'BS2');
    assert.ok(await store.secrets.get('clientPrivateKey'));
  });

  for (const [label, args, message] of [
    ['a key that does not match', ['--cert', 'peer', '--key', 'otherKey'], /the private key in .*other\.key does not belong to the certificate in .*peer\.crt/],
    ['an unreadable file', ['--cert', 'missing', '--key', 'key'], /cannot read the certificate file .*nope\.crt \(ENOENT\)/],
    ['an expired certificate', ['--cert', 'expired', '--key', 'key'], /the certificate in .*expired\.crt expired on [A-Z][a-z]{2} \d{1,2}, \d{4}.*enroll again/],
    ['a key where the certificate should be', ['--cert', 'key', '--key', 'key'], /.*private_key\.key holds no certificate/],
  ] as const) {
    it(`refuses ${label} with a clear error and stores nothing`, async () => {
      const dataDir = join(root, `data-${label.replace(/\W+/g, '-')}`);
      const path = (name: FileName | 'missing') => (name === 'missing' ? join(root, 'nope.crt') : files[name]);
      const result = await run(['--data-dir', dataDir, 'import', '--basestation', 'BS3', args[0], path(args[1]), args[2], path(args[3])]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^arlo-rtsp: ${message.source}`));
      const store = await openDataStore(dataDir);
      assert.deepEqual((await store.read()).baseStations, []);
      assert.equal(await store.secrets.get('clientPrivateKey'), undefined);
    });
  }

  it('a wrong passphrase is a clear error', async () => {
    const dataDir = join(root, 'data-poc');
    const result = await run(['--data-dir', dataDir, 'import', '--basestation', 'X', '--cert', files.peer, '--key', files.key], {
      ARLO_RTSP_PASSPHRASE: 'not-it',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arlo-rtsp: the passphrase does not unlock .*secrets\.json/);
  });
});
