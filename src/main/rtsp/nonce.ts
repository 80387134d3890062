// The Arlo base station's `Nonce` header (PROTOCOL.md §5, "The Nonce rule"): every request
// carries a 64-bit unsigned counter that follows the nonce of the last response.
//
//   client: the first request carries 0; after a response with `Nonce: X` the next request
//           carries X+1; a request sent with no new response nonce since the previous request
//           carries the previous value + 1.
//
// Values are `bigint` throughout: they are large and random, well above 2^53, so a JavaScript
// number would silently round them.

import { randomBytes } from 'node:crypto';
import type { RtspResponse } from './message.js';

export const NONCE_HEADER = 'Nonce';

const MAX_NONCE = (1n << 64n) - 1n;

/** The value of a Nonce header: decimal digits only, 0..2^64-1; anything else is undefined. */
export function parseNonce(value: string | undefined): bigint | undefined {
  if (value === undefined || !/^\d{1,20}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n <= MAX_NONCE ? n : undefined;
}

/** What a client puts on its requests. One sequence per RTSP connection. */
export class NonceSequence {
  #previous: bigint | undefined;
  /** The nonce of the latest response observed since the previous request, if any. */
  #observed: bigint | undefined;

  /** The value for the next request (and records it as sent). */
  next(): bigint {
    const base = this.#observed ?? this.#previous;
    const value = base === undefined ? 0n : BigInt.asUintN(64, base + 1n);
    this.#previous = value;
    this.#observed = undefined;
    return value;
  }

  /** Feed every response received; one without a valid Nonce header changes nothing. */
  observe(response: RtspResponse): void {
    const nonce = parseNonce(response.headers.get(NONCE_HEADER));
    if (nonce !== undefined) this.#observed = nonce;
  }
}

/** Issued values start in [2^62, 2^63) and grow by 1..2^32 each, so 2^31 issues fit below 2^64. */
const START_FLOOR = 1n << 62n;
const MAX_INCREMENT = 1n << 32n;

/**
 * The base station's side, one per connection: issues response nonces and checks request nonces.
 *
 * `check(received)` accepts exactly:
 *  - on the first request of the connection: `0n`, or no Nonce header at all (the Scrypted proxy
 *    omits it and works); an absent value then counts as 0 for the next check;
 *  - afterwards, if a nonce was issued since the client's previous request: (last issued) + 1;
 *  - afterwards, if none was issued since the client's previous request: (client's previous) + 1.
 * Anything else (absent, reused, skipped, a stale issued value) is rejected. Only accepted requests
 * advance the state, so a rejected request leaves the expected value unchanged.
 */
export class NonceVerifier {
  #lastIssued: bigint | undefined;
  #issuedSinceRequest = false;
  #clientPrevious: bigint | undefined;

  /** A fresh value for a response: random, large, strictly greater than any issued before. */
  issue(): bigint {
    const value = this.#lastIssued === undefined
      ? START_FLOOR + (randomU64() % START_FLOOR)
      : this.#lastIssued + 1n + (randomU64() % MAX_INCREMENT);
    this.#lastIssued = value;
    this.#issuedSinceRequest = true;
    return value;
  }

  /** Whether a request's Nonce (parsed with `parseNonce`) follows the rule; accepted values advance the state. */
  check(received: bigint | undefined): boolean {
    const expected = this.expected();
    const ok = expected === undefined
      ? received === undefined || received === 0n
      : received === expected;
    if (ok) {
      this.#clientPrevious = received ?? 0n;
      this.#issuedSinceRequest = false;
    }
    return ok;
  }

  /** The value the next request must carry; undefined before the first request (0 or absent). */
  expected(): bigint | undefined {
    if (this.#clientPrevious === undefined) return undefined;
    if (this.#issuedSinceRequest && this.#lastIssued !== undefined) return this.#lastIssued + 1n;
    return BigInt.asUintN(64, this.#clientPrevious + 1n);
  }
}

function randomU64(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}
