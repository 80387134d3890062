// The certificates the cloud hands back (base64 DER, no armour) as the PEM the store and TLS use,
// and the facts enrollment decisions need: expiry and whether a certificate fits our key.

import { X509Certificate, createPrivateKey } from 'node:crypto';

export function derBase64ToPem(base64: string): string {
  // PEM armour, if a value ever comes with it, is not base64 (its letters would decode as bytes).
  const bare = base64.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '');
  const body = Buffer.from(bare, 'base64').toString('base64').match(/.{1,64}/g)?.join('\n') ?? '';
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/** Parses a PEM certificate; undefined when it is not one (a damaged file, say). */
export function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export function certificateExpiry(pem: string): Date | undefined {
  const cert = parseCertificate(pem);
  return cert ? new Date(cert.validTo) : undefined;
}

export function certificateMatchesKey(pem: string, privateKeyPem: string): boolean {
  const cert = parseCertificate(pem);
  if (!cert) return false;
  try {
    return cert.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
