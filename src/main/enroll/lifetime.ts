// How close a base station's client certificate is to the end of its life, and what to say about
// it. No working client knows the lifetime Arlo gives (PROTOCOL.md §7), so the app warns ahead of
// the expiry it reads from the certificate itself: at RENEW_WITHIN (the enrollment policy renews
// from then on, so the one action, signing in, renews it) and again at URGENT_WITHIN. A certificate
// the base station accepted before and refuses now was revoked, most likely by another enrollment
// with this installation's uuid (PROTOCOL.md §2).
//
//   ok → soon (≤ 14 days) → urgent (≤ 2 days) → expired;  any → revoked (refused after working)

import type { CertificateWarning } from '../../shared/api.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first warning, and the enrollment policy's renewal window (policy.ts). */
export const RENEW_WITHIN_MS = 14 * DAY_MS;
/** The second, louder warning. */
export const URGENT_WITHIN_MS = 2 * DAY_MS;

export interface HeldCertificateLife {
  name: string;
  certificatePem?: string;
  /** ISO date. */
  certificateExpires?: string;
  certificateRejected?: boolean;
  /** The base station accepted this certificate at least once. */
  certificateAccepted?: boolean;
}

/** The one action that renews: a sign-in, after which the app enrolls by itself (service.ts). */
const RENEW = 'sign in to Arlo and the app renews it by itself';

export function certificateWarning(held: HeldCertificateLife, now: number): CertificateWarning | undefined {
  if (!held.certificatePem) return undefined;
  if (held.certificateRejected && held.certificateAccepted) {
    return {
      level: 'revoked',
      summary: `${held.name}: certificate revoked, sign in to renew`,
      message: `${held.name} now refuses the certificate it accepted before: it was most likely revoked because another enrollment used this installation's id (a copy of this app's data folder running on another computer, say). Stop that copy, then ${RENEW}; otherwise the two keep revoking each other.`,
    };
  }
  if (!held.certificateExpires) return undefined;
  const expires = Date.parse(held.certificateExpires);
  const left = expires - now;
  const date = new Date(expires).toISOString().slice(0, 10);
  if (left <= 0) {
    return {
      level: 'expired',
      summary: `${held.name}: certificate expired, sign in to renew`,
      message: `The certificate for ${held.name} expired on ${date}: its cameras cannot stream. To get a new one, ${RENEW}.`,
    };
  }
  if (left <= URGENT_WITHIN_MS) {
    const hours = Math.max(1, Math.floor(left / (60 * 60 * 1000)));
    const within = `${hours} hour${hours === 1 ? '' : 's'}`;
    return {
      level: 'urgent',
      summary: `${held.name}: certificate expires in ${within}, sign in to renew`,
      message: `The certificate for ${held.name} expires in ${within} (${date}), and its cameras stop then: ${RENEW}.`,
    };
  }
  if (left <= RENEW_WITHIN_MS) {
    const days = Math.floor(left / DAY_MS);
    return {
      level: 'soon',
      summary: `${held.name}: certificate expires in ${days} days, sign in to renew`,
      message: `The certificate for ${held.name} expires in ${days} days (${date}): ${RENEW}.`,
    };
  }
  return undefined;
}

/** Milliseconds from `now` until the warning of this certificate next changes level; undefined when it never will by time alone. */
export function nextWarningChange(held: HeldCertificateLife, now: number): number | undefined {
  if (!held.certificatePem || !held.certificateExpires) return undefined;
  const expires = Date.parse(held.certificateExpires);
  const next = [expires - RENEW_WITHIN_MS, expires - URGENT_WITHIN_MS, expires].find((at) => at > now);
  return next === undefined ? undefined : next - now;
}
