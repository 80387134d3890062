// What a pin holds, computed from a certificate the test has, independently of the product's code.

import { createHash, X509Certificate } from 'node:crypto';

/** SHA-256 of the whole certificate, colon-separated hex. */
export const fingerprintOf = (pem: string | undefined): string => new X509Certificate(pem!).fingerprint256;

/** SHA-256 of the certificate's SubjectPublicKeyInfo DER, in the same form. */
export const keyOf = (pem: string | undefined): string =>
  createHash('sha256').update(new X509Certificate(pem!).publicKey.export({ type: 'spki', format: 'der' })).digest('hex').toUpperCase().match(/../g)!.join(':');
