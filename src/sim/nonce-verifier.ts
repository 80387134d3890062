// The simulated base station's side of the Nonce rule (PROTOCOL.md §5): issues response nonces and
// checks request nonces. The client's side is src/main/rtsp/nonce.ts.

import { randomBytes, randomInt } from 'node:crypto';

/**
 * How the issued values look. `large` (the default): random in [2^62, 2^63), growing by 1..2^32.
 * `small`: starting below 1000 and growing by 1..10, as a firmware with a plain counter might.
 * `signed`: negative values (a signed 64-bit counter), growing towards zero.
 */
export type NonceStyle = 'large' | 'small' | 'signed';

const START_FLOOR = 1n << 62n;
const MAX_INCREMENT = 1n << 32n;

/**
 * One per connection. `check(received)` accepts exactly:
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

  /** `style`, or where each issued value comes from (a replay issues the recorded ones). */
  constructor(private readonly style: NonceStyle | (() => bigint) = 'large') {}

  /** A fresh value for a response: strictly greater than any issued before. */
  issue(): bigint {
    const value = typeof this.style === 'function' ? this.style()
      : this.#lastIssued === undefined ? this.#first() : this.#lastIssued + this.#increment();
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
    return this.#clientPrevious + 1n;
  }

  #first(): bigint {
    switch (this.style) {
      case 'small':
        return BigInt(randomInt(1, 1000));
      case 'signed':
        return -(START_FLOOR + (randomU64() % START_FLOOR));
      default:
        return START_FLOOR + (randomU64() % START_FLOOR);
    }
  }

  #increment(): bigint {
    return this.style === 'small' ? BigInt(randomInt(1, 11)) : 1n + (randomU64() % MAX_INCREMENT);
  }
}

function randomU64(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}
