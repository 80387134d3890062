// When to ask the cloud for a certificate. Each request with our uuid revokes that uuid's earlier
// certificate (PROTOCOL.md §2), so enroll only when the one we hold cannot serve.

import { certificateExpiry, certificateMatchesKey } from './certificate.js';
import { RENEW_WITHIN_MS } from './lifetime.js';

/**
 * Renew this long before expiry, so a stream never starts with a certificate about to lapse: from
 * the first expiry warning on (lifetime.ts), so the warning's action, signing in, renews it.
 */
export const RENEW_BEFORE_MS = RENEW_WITHIN_MS;

export type EnrollReason = 'missing' | 'expired' | 'expiring' | 'rejected' | 'key-mismatch';

export type EnrollDecision = { enroll: false } | { enroll: true; reason: EnrollReason };

export interface HeldCertificate {
  certificatePem?: string;
  certificateRejected?: boolean;
}

export function enrollmentDecision(held: HeldCertificate, privateKeyPem: string | undefined, now: Date): EnrollDecision {
  if (!held.certificatePem) return { enroll: true, reason: 'missing' };
  if (held.certificateRejected) return { enroll: true, reason: 'rejected' };
  const expires = certificateExpiry(held.certificatePem);
  if (!expires) return { enroll: true, reason: 'missing' };
  if (expires.getTime() <= now.getTime()) return { enroll: true, reason: 'expired' };
  if (expires.getTime() - now.getTime() < RENEW_BEFORE_MS) return { enroll: true, reason: 'expiring' };
  if (!privateKeyPem || !certificateMatchesKey(held.certificatePem, privateKeyPem)) return { enroll: true, reason: 'key-mismatch' };
  return { enroll: false };
}

/** Why we enrolled, in words for the outcome message. */
export const ENROLL_REASON_TEXT: Record<EnrollReason, string> = {
  missing: 'no certificate yet',
  expired: 'the certificate had expired',
  expiring: 'the certificate expires within 14 days',
  rejected: 'the base station refused the previous certificate',
  'key-mismatch': "the certificate did not match this installation's key",
};
