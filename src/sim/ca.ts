// The simulated Arlo cloud's certificate authority: it issues the client certificates (`peerCert`)
// that the simulated base station accepts for mutual TLS, and revokes them. Revocation is published
// as a signed X.509 v2 CRL (node-forge cannot write CRLs, so the CRL is built from forge's ASN.1
// and signed with node:crypto) so that the base station can load it into its TLS context and
// fail the handshake of a revoked client, as OpenSSL does with any CRL.
//
//   const ca = await SimCertificateAuthority.create();
//   const { serial, pem } = ca.issueClientCertificate(publicKeyPem, { commonName: 'installation' });
//   ca.onRevocation(() => server.setSecureContext({ ...options, crl: ca.crlPem() }));
//   ca.revoke(serial);

import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface IssuedCertificate {
  /** Lower-case hex, as OpenSSL and node:crypto's X509Certificate print it. */
  serial: string;
  pem: string;
  der: Buffer;
  expires: Date;
}

export interface IssueOptions {
  commonName: string;
  validDays?: number;
  notBefore?: Date;
  /**
   * The base station (its `uniqueId`) the certificate is for, written as the subject's OU: a base
   * station told its own uniqueId refuses a certificate issued for another one.
   */
  forDevice?: string;
}

export type RevocationListener = (serial: string) => void;

export class SimCertificateError extends Error {
  override readonly name = 'SimCertificateError';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALID_DAYS = 3650;
/** How long a published CRL claims to be current; OpenSSL rejects a CRL past its nextUpdate. */
const CRL_VALID_DAYS = 30;

export class SimCertificateAuthority {
  /** The issuing CA (the cloud's `icaCert`): the base station trusts it and it signs every client certificate. */
  readonly certificatePem: string;
  /** An intermediate CA signed by the issuing CA, handed out as the cloud's `deviceCert`. */
  readonly intermediatePem: string;

  readonly #cert: forge.pki.Certificate;
  readonly #key: KeyObject;
  readonly #revoked = new Map<string, Date>();
  readonly #listeners = new Set<RevocationListener>();
  #crlNumber = 0;

  private constructor(cert: forge.pki.Certificate, key: KeyObject, intermediatePem: string) {
    this.#cert = cert;
    this.#key = key;
    this.certificatePem = forge.pki.certificateToPem(cert);
    this.intermediatePem = intermediatePem;
  }

  static async create(options: { commonName?: string } = {}): Promise<SimCertificateAuthority> {
    const commonName = options.commonName ?? 'Simulated Arlo Issuing CA';
    const [root, intermediate] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
    const now = new Date();

    const rootCert = buildCertificate({
      subject: [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Arlo Simulator' }],
      publicKeyPem: root.publicKey,
      notBefore: new Date(now.getTime() - DAY_MS),
      validDays: CA_VALID_DAYS,
      extensions: caExtensions(),
    });
    rootCert.setIssuer(rootCert.subject.attributes);
    signCertificate(rootCert, root.privateKey);

    const intermediateCert = buildCertificate({
      subject: [{ name: 'commonName', value: `${commonName} Device Intermediate` }, { name: 'organizationName', value: 'Arlo Simulator' }],
      publicKeyPem: intermediate.publicKey,
      notBefore: new Date(now.getTime() - DAY_MS),
      validDays: CA_VALID_DAYS,
      extensions: caExtensions(rootCert),
    });
    intermediateCert.setIssuer(rootCert.subject.attributes);
    signCertificate(intermediateCert, root.privateKey);

    return new SimCertificateAuthority(rootCert, root.privateKey, forge.pki.certificateToPem(intermediateCert));
  }

  /**
   * A client certificate for the RSA public key given as PEM or as base64 DER SubjectPublicKeyInfo
   * (what the cloud's cert/create receives), valid for TLS client authentication.
   */
  issueClientCertificate(publicKey: string, options: IssueOptions): IssuedCertificate {
    const publicKeyPem = normalizePublicKey(publicKey);
    const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
    const cert = buildCertificate({
      subject: [
        { name: 'commonName', value: options.commonName },
        { name: 'organizationName', value: 'Arlo Simulator' },
        ...(options.forDevice === undefined ? [] : [{ name: 'organizationalUnitName', value: options.forDevice }]),
      ],
      publicKeyPem,
      notBefore,
      validDays: options.validDays ?? 365,
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
        { name: 'subjectKeyIdentifier' },
        authorityKeyIdentifier(this.#cert),
      ],
    });
    cert.setIssuer(this.#cert.subject.attributes);
    signCertificate(cert, this.#key);
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
    return { serial: cert.serialNumber, pem: forge.pki.certificateToPem(cert), der, expires: cert.validity.notAfter };
  }

  revoke(serial: string): void {
    const key = serial.toLowerCase();
    if (this.#revoked.has(key)) return;
    this.#revoked.set(key, new Date());
    this.#crlNumber++;
    for (const listener of this.#listeners) listener(key);
  }

  isRevoked(serial: string): boolean {
    return this.#revoked.has(serial.toLowerCase());
  }

  /** Called after each revocation, once the new CRL is available from `crlPem()`. Returns an unsubscribe. */
  onRevocation(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The current certificate revocation list, signed by the issuing CA (valid even when nothing is revoked). */
  crlPem(): string {
    const der = this.#buildCrl();
    const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
    return `-----BEGIN X509 CRL-----\n${body}\n-----END X509 CRL-----\n`;
  }

  #buildCrl(): Buffer {
    const { asn1 } = forge;
    const now = new Date();
    const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
    const integerHex = (hex: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(evenHex(hex)));
    const utcTime = (date: Date) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
    const signatureAlgorithm = seq([
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption!).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]);

    const tbsItems: forge.asn1.Asn1[] = [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()), // v2
      signatureAlgorithm,
      forge.pki.distinguishedNameToAsn1(this.#cert.subject),
      utcTime(now),
      utcTime(new Date(now.getTime() + CRL_VALID_DAYS * DAY_MS)),
    ];
    // RFC 5280 §5.1.2.6: an empty list is omitted, not encoded as an empty SEQUENCE.
    if (this.#revoked.size > 0) {
      tbsItems.push(seq([...this.#revoked].map(([serial, when]) => seq([integerHex(serial), utcTime(when)]))));
    }
    const extension = (oid: string, value: forge.asn1.Asn1) =>
      seq([
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
      ]);
    tbsItems.push(
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
        seq([
          extension('2.5.29.35', seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, subjectKeyId(this.#cert))])),
          extension('2.5.29.20', asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(this.#crlNumber).getBytes())),
        ]),
      ]),
    );

    const tbs = seq(tbsItems);
    const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
    const signature = sign('sha256', tbsDer, this.#key);
    const crl = seq([
      tbs,
      signatureAlgorithm,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`),
    ]);
    return Buffer.from(asn1.toDer(crl).getBytes(), 'binary');
  }
}

/**
 * The base station's own TLS identity: self-signed, as on the real device, whose certificate no
 * client can validate (they pin it instead). `legacy`: a 1024-bit key and a SHA-1 signature, as an
 * old embedded device may still have. `keyPem`: a certificate re-issued on that key (a renewal or a
 * firmware update that keeps the device's key), with a new serial and validity.
 */
export async function createSelfSignedServerCertificate(
  commonName: string,
  options: { legacy?: boolean; keyPem?: string } = {},
): Promise<{ certPem: string; keyPem: string }> {
  const { publicKey, privateKey } = options.keyPem === undefined ? await rsaKeyPair(options.legacy ? 1024 : 2048) : keyPairOf(options.keyPem);
  const cert = buildCertificate({
    subject: [{ name: 'commonName', value: commonName }],
    publicKeyPem: publicKey,
    notBefore: new Date(Date.now() - DAY_MS),
    validDays: CA_VALID_DAYS,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: commonName }, { type: 7, ip: '127.0.0.1' }] },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  cert.setIssuer(cert.subject.attributes);
  signCertificate(cert, privateKey, options.legacy ? 'sha1' : 'sha256');
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function keyPairOf(keyPem: string): { publicKey: string; privateKey: KeyObject } {
  const privateKey = createPrivateKey(keyPem);
  return { publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

async function rsaKeyPair(modulusLength = 2048): Promise<{ publicKey: string; privateKey: KeyObject }> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength });
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** PEM or base64 DER SPKI → PEM, refusing anything that is not an RSA public key (forge signs only RSA). */
function normalizePublicKey(publicKey: string): string {
  const trimmed = publicKey.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new SimCertificateError(`publicKey is not a PEM or base64 DER SubjectPublicKeyInfo: ${(cause as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SimCertificateError(`publicKey must be an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

interface CertificateSpec {
  subject: forge.pki.CertificateField[];
  publicKeyPem: string;
  notBefore: Date;
  validDays: number;
  extensions: object[];
}

function buildCertificate(spec: CertificateSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.version = 2; // X.509 v3
  cert.serialNumber = randomSerial();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = new Date(spec.notBefore.getTime() + spec.validDays * DAY_MS);
  cert.setSubject(spec.subject);
  cert.setExtensions(spec.extensions);
  return cert;
}

function caExtensions(issuer?: forge.pki.Certificate): object[] {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (issuer) extensions.push(authorityKeyIdentifier(issuer));
  return extensions;
}

function authorityKeyIdentifier(issuer: forge.pki.Certificate): object {
  return { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyId(issuer) };
}

function subjectKeyId(cert: forge.pki.Certificate): string {
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/** Exported by node-forge at runtime but missing from @types/node-forge. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/** Signs the forge certificate's TBS with node:crypto (fast, native) and stores the signature. */
function signCertificate(cert: forge.pki.Certificate, key: KeyObject, digest: 'sha256' | 'sha1' = 'sha256'): void {
  const oid = digest === 'sha1' ? forge.pki.oids.sha1WithRSAEncryption! : forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  cert.md = forge.md[digest].create();
  const tbs = forge.asn1.toDer((forge.pki as unknown as ForgeTbs).getTBSCertificate(cert)).getBytes();
  cert.signature = sign(digest, Buffer.from(tbs, 'binary'), key).toString('binary');
}

/** 16 random bytes, high bit clear so the DER INTEGER is positive without a padding byte. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function evenHex(hex: string): string {
  const padded = hex.length % 2 === 0 ? hex : `0${hex}`;
  // A leading byte ≥ 0x80 would read as negative: prefix a zero byte.
  return parseInt(padded.slice(0, 2), 16) >= 0x80 ? `00${padded}` : padded;
}
