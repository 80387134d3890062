// Who answers at a base station's address, as far as TLS can tell, and whether that is the base
// station we pinned. Its certificate chains to nothing we have (self-signed), so it is trusted on
// first use. What counts is its public key: only the holder of the private key completes the
// handshake, and a base station may re-issue its certificate on the same key (a renewal, a firmware
// update) without a human there to approve it. The certificate's own fingerprint is kept beside the
// key, as the UI shows it and as versions before key pinning stored only that.
//
//   const presented = peerIdentity(socket);
//   switch (checkPin(pin, presented)) { ... }

import { createHash, type X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** SHA-256 digests, colon-separated upper-case hex (as Node writes `fingerprint256`). */
export interface PeerIdentity {
  /** Of the whole certificate (DER). */
  fingerprint: string;
  /** Of the certificate's SubjectPublicKeyInfo (DER), as HPKP pinned keys. */
  key: string;
}

/** What is pinned; a pin stored before keys were pinned has only `fingerprint`. */
export type Pin = Partial<PeerIdentity>;

/**
 * - `unpinned`: nothing is pinned: pin what was presented once the peer proves it speaks Arlo RTSP.
 * - `same`: the pinned identity.
 * - `reissued`: the pinned key in another certificate: accepted, the pinned fingerprint follows it.
 * - `keyed`: the pinned certificate of a pin without a key: accepted, its key pinned too.
 * - `changed`: another key, or another certificate where no key was pinned to tell: refused.
 */
export type PinCheck = 'unpinned' | 'same' | 'reissued' | 'keyed' | 'changed';

/**
 * The identity the peer proved at the handshake; undefined when it presented no certificate. Node
 * hands out the peer's certificate once per socket (a second call returns nothing): whoever needs
 * more of it takes it with `getPeerX509Certificate()` and uses `identityOf`.
 */
export function peerIdentity(socket: TLSSocket): PeerIdentity | undefined {
  const certificate = socket.getPeerX509Certificate();
  return certificate ? identityOf(certificate) : undefined;
}

export function identityOf(certificate: X509Certificate): PeerIdentity {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return { fingerprint: certificate.fingerprint256, key: colonHex(createHash('sha256').update(spki).digest()) };
}

export function isPinned(pin: Pin | undefined): pin is Pin {
  return pin?.fingerprint !== undefined || pin?.key !== undefined;
}

export function checkPin(pin: Pin | undefined, presented: PeerIdentity | undefined): PinCheck {
  if (!isPinned(pin)) return 'unpinned';
  if (!presented) return 'changed';
  const sameFingerprint = same(pin.fingerprint, presented.fingerprint);
  if (pin.key === undefined) return sameFingerprint ? 'keyed' : 'changed';
  if (!same(pin.key, presented.key)) return 'changed';
  return sameFingerprint ? 'same' : 'reissued';
}

/** Whether the pin needs `presented` stored: pinned first, or brought up to date. */
export function pinsAnew(check: PinCheck): boolean {
  return check === 'unpinned' || check === 'reissued' || check === 'keyed';
}

function same(pinned: string | undefined, presented: string): boolean {
  return pinned !== undefined && pinned.toUpperCase() === presented.toUpperCase();
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
