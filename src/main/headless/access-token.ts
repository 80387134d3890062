// The web API's access token. Made once and kept as the `webAccessToken` secret, so a URL the user
// saved keeps working after a restart; compared in constant time; replaced on demand (a new token
// ends every use of the old one). It is never part of AppState, events or logs: `serve` prints it
// once at start when it is required, and the web route that replaces it answers only its caller.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../store/types.js';

export interface AccessToken {
  /** The token now, for the URL `serve` prints. */
  readonly value: string;
  /** Whether `presented` is the token now (constant time for tokens of its length). */
  matches(presented: string | null | undefined): boolean;
  /** Makes and keeps a new token; the old one stops working at once. */
  rotate(): Promise<string>;
}

const SECRET = 'webAccessToken';

/** The kept token, made now if there is none yet. */
export async function keptAccessToken(secrets: SecretStore): Promise<AccessToken> {
  let value = await secrets.get(SECRET);
  if (!value) {
    value = newToken();
    await secrets.set(SECRET, value);
  }
  let current = value;
  return {
    get value() {
      return current;
    },
    matches(presented) {
      if (typeof presented !== 'string') return false;
      const a = Buffer.from(presented);
      const b = Buffer.from(current);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    async rotate() {
      const next = newToken();
      // Kept first: a token that works now but not after a restart would lock the user out later.
      await secrets.set(SECRET, next);
      current = next;
      return next;
    },
  };
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}
