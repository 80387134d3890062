// Which entry of the certificate answer is ours, and whether it can serve. The cloud answers
// `certsData` as a list of `{uniqueId, peerCert, deviceCert, certId}` (PROTOCOL.md §7): we take the
// entry for the base station we asked about, not the first. Every way the answer can be wrong is
// an enrollment error here, in words, never a certificate stored to fail the handshake later.

import { X509Certificate } from 'node:crypto';
import { ArloError } from '../arlo/errors.js';
import { certificateMatchesKey, derBase64ToPem } from './certificate.js';

/** One `certsData` entry as read: every field may be missing or odd. */
export interface IssuedEntry {
  uniqueId?: string;
  peerCert?: string;
  deviceCert?: string;
  certId?: string;
}

export interface ChosenCertificate {
  certificatePem: string;
  expires: Date;
  /** The entry's `deviceCert` as PEM, when it sent one that reads as a certificate. */
  deviceCertPem?: string;
}

const TRY_AGAIN = 'Try enrolling again; if it keeps happening, report it with the output of "arlo-rtsp doctor".';

/**
 * The entry for `baseStation` (its uniqueId, or its deviceId should the cloud name it so, either in
 * any case), else the only entry there is (the answer to a request naming one base station), checked:
 * base64 DER that reads as a certificate, on the public key of `privateKeyPem`.
 */
export function chooseIssuedCertificate(
  entries: readonly IssuedEntry[],
  baseStation: { uniqueId: string; deviceId: string },
  privateKeyPem: string,
): ChosenCertificate {
  const names = new Set([baseStation.uniqueId.toLowerCase(), baseStation.deviceId.toLowerCase()]);
  const entry = entries.find((e) => e.uniqueId !== undefined && names.has(e.uniqueId.toLowerCase())) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) {
    const named = entries.map((e) => e.uniqueId ?? '(no uniqueId)').join(', ');
    throw new ArloError('unexpected', `The Arlo cloud sent ${entries.length} certificates, none for this base station (${baseStation.uniqueId}; it sent ${named}). ${TRY_AGAIN}`);
  }
  const certificate = entry.peerCert === undefined ? undefined : readDerBase64(entry.peerCert);
  if (!certificate) {
    throw new ArloError('unexpected', `The certificate the Arlo cloud sent for this base station cannot be read (it is not a base64 DER certificate). ${TRY_AGAIN}`);
  }
  const certificatePem = derBase64ToPem(entry.peerCert ?? '');
  if (!certificateMatchesKey(certificatePem, privateKeyPem)) {
    throw new ArloError('unexpected', `The certificate the Arlo cloud sent for this base station is for another key than this installation's, so the base station would refuse it. ${TRY_AGAIN}`);
  }
  const deviceCert = entry.deviceCert === undefined ? undefined : readDerBase64(entry.deviceCert);
  return {
    certificatePem,
    expires: new Date(certificate.validTo),
    ...(deviceCert ? { deviceCertPem: derBase64ToPem(entry.deviceCert ?? '') } : {}),
  };
}

/** A certificate from base64 DER (line breaks allowed, as PEM bodies have them), or undefined. */
export function readDerBase64(value: string): X509Certificate | undefined {
  const bare = value.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(bare)) return undefined;
  try {
    return new X509Certificate(Buffer.from(bare, 'base64'));
  } catch {
    return undefined;
  }
}
