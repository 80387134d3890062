// The installation's RSA-2048 key pair for mutual TLS with the base stations.
// node:crypto, not node-forge: measured on this project's 2-core build machine (5 runs each),
// node:crypto generateKeyPair took 59–270 ms, forge in pure JavaScript 311–1436 ms (forge only
// matches node when it quietly delegates to node:crypto itself).

import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh RSA-2048 private key as PKCS#8 PEM (what the secret store keeps). */
export async function generatePrivateKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The public half as the certificate API wants it: base64 DER SubjectPublicKeyInfo, no armour, no newlines. */
export function publicKeyForCloud(privateKeyPem: string): string {
  const der = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return der.toString('base64');
}
