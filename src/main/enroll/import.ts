// Importing a client certificate made elsewhere (the PoC's Phase1.ps1: peer.crt, private_key.key,
// ica.crt) into the store. That script writes PEM with the base64 on one long line, through
// PowerShell's `Out-File -Encoding utf8` (a BOM, CRLF); other tools give bare base64 DER. Both are
// read here and kept as ordinary PEM.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import type { DataStore } from '../store/types.js';
import { certificateMatchesKey, derBase64ToPem } from './certificate.js';

export interface ImportCertificateInput {
  baseStationId: string;
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** A typed LAN address for the base station. */
  host?: string;
}

export interface ImportCertificateResult {
  certificateExpires: string;
  /** Other base stations whose certificates were made for the key this import replaced: they need enrolling again. */
  orphanedBaseStations: string[];
}

/** Validates the files (key fits the certificate, not expired) and stores them; nothing is stored when any check fails. */
export async function importCertificate(store: DataStore, input: ImportCertificateInput, now = new Date()): Promise<ImportCertificateResult> {
  const certificates = parseCertificates(await readInput(input.certFile, 'certificate'), input.certFile);
  const certificate = certificates[0]!;
  const key = parsePrivateKey(await readInput(input.keyFile, 'private key'), input.keyFile);
  const caChain = input.caFile ? parseCertificates(await readInput(input.caFile, 'CA certificate'), input.caFile) : [];

  if (!certificate.checkPrivateKey(key)) {
    throw new AppError(
      'import-key-mismatch',
      `the private key in ${input.keyFile} does not belong to the certificate in ${input.certFile}; use the private_key.key written in the same run as peer.crt`,
    );
  }
  const expires = new Date(certificate.validTo);
  if (expires <= now) {
    throw new AppError(
      'import-expired',
      `the certificate in ${input.certFile} expired on ${expires.toISOString()}; enroll again for a new one`,
    );
  }

  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const previousKey = await store.secrets.get('clientPrivateKey');
  const certificatePem = derBase64ToPem(certificate.raw.toString('base64'));
  let orphanedBaseStations: string[] = [];
  await store.update((data) => {
    let record = data.baseStations.find((b) => b.deviceId === input.baseStationId);
    if (!record) {
      // Name and model stay unknown until the devices are fetched from the cloud.
      const uniqueId = data.account.userId ? `${data.account.userId}_${input.baseStationId}` : '';
      record = { deviceId: input.baseStationId, name: '', model: '', uniqueId };
      data.baseStations.push(record);
    }
    record.certificatePem = certificatePem;
    record.caChainPem = caChain.map((ca) => derBase64ToPem(ca.raw.toString('base64')));
    record.certificateExpires = expires.toISOString();
    delete record.certificateRejected;
    delete record.certificateAccepted;
    if (input.host) {
      record.host = input.host;
      record.addressSource = 'typed';
    }
    if (previousKey && previousKey !== keyPem) {
      orphanedBaseStations = data.baseStations
        .filter((b) => b !== record && b.certificatePem && certificateMatchesKey(b.certificatePem, previousKey))
        .map((b) => b.deviceId);
    }
  });
  await store.secrets.set('clientPrivateKey', keyPem);
  return { certificateExpires: expires.toISOString(), orphanedBaseStations };
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AppError('import-unreadable', `cannot read the ${what} file ${path} (${reason})`, { cause: error });
  }
}

/** The base64 bodies of the PEM blocks with `label`, or the whole text when it is bare base64. */
function base64Bodies(text: string, labels: RegExp): { label: string; der: Buffer }[] {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const bodies = blocks.length > 0 ? blocks.map((m) => ({ label: m[1]!, body: m[2]! })) : [{ label: '', body: text }];
  return bodies
    .filter((b) => b.label === '' || labels.test(b.label))
    .map(({ label, body }) => {
      const compact = body.replace(/\s+/g, '');
      return { label, der: /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64') : Buffer.alloc(0) };
    });
}

function parseCertificates(text: string, path: string): X509Certificate[] {
  const certificates = base64Bodies(text, /^(X509 |TRUSTED )?CERTIFICATE$/).flatMap(({ der }) => {
    try {
      return [new X509Certificate(der)];
    } catch {
      return [];
    }
  });
  if (certificates.length === 0) {
    throw new AppError('import-not-certificate', `${path} holds no certificate (expected PEM or base64 DER, like the PoC's peer.crt)`);
  }
  return certificates;
}

function parsePrivateKey(text: string, path: string): KeyObject {
  if (/ENCRYPTED/.test(text)) {
    throw new AppError('import-encrypted-key', `the private key in ${path} is encrypted; export it without a password`);
  }
  for (const { label, der } of base64Bodies(text, /PRIVATE KEY$/)) {
    const types = label === 'RSA PRIVATE KEY' ? (['pkcs1'] as const) : label === 'PRIVATE KEY' ? (['pkcs8'] as const) : (['pkcs8', 'pkcs1'] as const);
    for (const type of types) {
      try {
        return createPrivateKey({ key: der, format: 'der', type });
      } catch {
        // try the next encoding
      }
    }
  }
  throw new AppError('import-not-key', `${path} holds no private key (expected PEM or base64 DER, like the PoC's private_key.key)`);
}
