// The pin check every TLS connection to a base station goes through (stream, redirect, discovery,
// doctor): the key decides; the certificate's fingerprint only stands in for a pin without a key.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPin, pinsAnew, type PinCheck } from '../../src/main/stream/identity.js';

const hex = (byte: string): string => Array.from({ length: 32 }, () => byte).join(':');
const presented = { fingerprint: hex('C1'), key: hex('B1') };

describe('checkPin', () => {
  const cases: [string, Parameters<typeof checkPin>[0], PinCheck][] = [
    ['nothing pinned', undefined, 'unpinned'],
    ['an empty pin', {}, 'unpinned'],
    ['the pinned certificate and key', { fingerprint: hex('C1'), key: hex('B1') }, 'same'],
    ['the pin in lower case', { fingerprint: hex('c1'), key: hex('b1') }, 'same'],
    ['the pinned key in a re-issued certificate', { fingerprint: hex('C0'), key: hex('B1') }, 'reissued'],
    ['the pinned key alone (a redirect)', { key: hex('B1') }, 'reissued'],
    ['another key in the pinned certificate', { fingerprint: hex('C1'), key: hex('B0') }, 'changed'],
    ['another key', { fingerprint: hex('C0'), key: hex('B0') }, 'changed'],
    ['an old pin (no key) of this certificate', { fingerprint: hex('C1') }, 'keyed'],
    ['an old pin (no key) of another certificate', { fingerprint: hex('C0') }, 'changed'],
  ];
  for (const [what, pin, expected] of cases) {
    it(`${what}: ${expected}`, () => assert.equal(checkPin(pin, presented), expected));
  }

  it('a peer that presented no certificate passes only where nothing is pinned', () => {
    assert.equal(checkPin({ key: hex('B1') }, undefined), 'changed');
    assert.equal(checkPin(undefined, undefined), 'unpinned');
  });

  it('stores the presented identity when unpinned, re-issued or keyed; never when the same or changed', () => {
    const stored = (['unpinned', 'same', 'reissued', 'keyed', 'changed'] as const).filter(pinsAnew);
    assert.deepEqual(stored, ['unpinned', 'reissued', 'keyed']);
  });
});
