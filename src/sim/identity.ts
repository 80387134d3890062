// A client identity the simulated Arlo CA issued: what enrollment would hand our app (an RSA-2048
// key and the `peerCert` for it), made directly for tests, benchmarks and the demo rig.

import { generateKeyPairSync } from 'node:crypto';
import type { SimCertificateAuthority } from './ca.js';

export interface ClientIdentity {
  keyPem: string;
  certPem: string;
  serial: string;
}

export function issueIdentity(ca: SimCertificateAuthority, commonName = 'test-installation'): ClientIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const issued = ca.issueClientCertificate(spki, { commonName });
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: issued.pem, serial: issued.serial };
}
