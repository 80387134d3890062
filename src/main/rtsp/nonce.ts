// The Arlo base station's `Nonce` header (PROTOCOL.md §5, "The Nonce rule"): every request
// carries a counter that follows the nonce of the last response.
//
//   client: the first request carries 0; after a response with `Nonce: X` the next request
//           carries X+1; a request sent with no new response nonce since the previous request
//           carries the previous value + 1.
//
// Values are `bigint` throughout: they are large and random, well above 2^53, so a JavaScript
// number would silently round them. The working clients read the header with Python's `int()`
// and add 1 (Scrypted's local_stream.py): any size, a sign allowed, no wrap-around. We do the
// same, so a base station that sends a small, negative or over-64-bit value still gets back
// exactly what those clients send.

import type { RtspMessage } from './message.js';

export const NONCE_HEADER = 'Nonce';

/** Python's `int()` reads thousands of digits; a header this long is garbage, not a counter. */
const MAX_DIGITS = 200;

/** The value of a Nonce header: a signed decimal of any size (as Python's `int()`), else undefined. */
export function parseNonce(value: string | undefined): bigint | undefined {
  const text = value?.trim();
  if (text === undefined || text.length > MAX_DIGITS + 1 || !/^[+-]?\d+$/.test(text)) return undefined;
  return BigInt(text);
}

/** What a client puts on its requests. One sequence per RTSP connection. */
export class NonceSequence {
  #previous: bigint | undefined;
  /** The nonce of the latest response observed since the previous request, if any. */
  #observed: bigint | undefined;
  #garbageSeen = false;

  /** `onGarbage` hears the first unreadable Nonce value of the connection (to log it once). */
  constructor(private readonly onGarbage?: (value: string) => void) {}

  /** The value for the next request (and records it as sent). */
  next(): bigint {
    const base = this.#observed ?? this.#previous;
    const value = base === undefined ? 0n : base + 1n;
    this.#previous = value;
    this.#observed = undefined;
    return value;
  }

  /**
   * Feed every message received: responses, and requests the base station may send (both working
   * proxies follow a Nonce on anything that comes from it). One without a Nonce changes nothing; an
   * unreadable one changes nothing either (the count goes on from our previous value) and is
   * reported once.
   */
  observe(message: RtspMessage): void {
    const raw = message.headers.get(NONCE_HEADER);
    if (raw === undefined) return;
    const nonce = parseNonce(raw);
    if (nonce !== undefined) {
      this.#observed = nonce;
    } else if (!this.#garbageSeen) {
      this.#garbageSeen = true;
      this.onGarbage?.(raw.slice(0, 64));
    }
  }
}
