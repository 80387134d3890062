// An access token for tests that run the web binding without a data dir: the real kept token over
// secrets held in memory.

import { keptAccessToken, type AccessToken } from '../../src/main/headless/access-token.js';
import type { SecretName, SecretStore } from '../../src/main/store/types.js';

export function memorySecrets(initial: Partial<Record<SecretName, string>> = {}): SecretStore {
  const values = new Map(Object.entries(initial) as [SecretName, string][]);
  return {
    protection: 'memory (test)',
    get: async (name) => values.get(name),
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => void values.delete(name),
  };
}

/** A token of `value` (or a fresh random one). */
export function testAccessToken(value?: string): Promise<AccessToken> {
  return keptAccessToken(memorySecrets(value === undefined ? {} : { webAccessToken: value }));
}
