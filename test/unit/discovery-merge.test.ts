import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeDiscovered } from '../../src/main/discovery/merge.js';
import type { BaseStationRecord } from '../../src/main/store/types.js';

const base = (deviceId: string, extra: Partial<BaseStationRecord> = {}): BaseStationRecord => ({
  deviceId,
  name: deviceId,
  model: 'VMB5000',
  uniqueId: `u_${deviceId}`,
  ...extra,
});

describe('mergeDiscovered', () => {
  it('a typed address wins (its mDNS host name is kept), mDNS fills or refreshes the rest, unknown and unseen stations change nothing', () => {
    const records = [
      base('TYPED', { host: '10.0.0.9', port: 554, addressSource: 'typed' }),
      base('NEW'),
      base('MOVED', { host: '10.0.0.2', port: 554, addressSource: 'mdns' }),
      base('UNSEEN', { host: '10.0.0.3', port: 554, addressSource: 'mdns' }),
    ];
    const merged = mergeDiscovered(records, [
      { deviceId: 'TYPED', host: '10.0.0.50', port: 554, hostname: 'a.local' },
      { deviceId: 'NEW', host: '10.0.0.51', port: 554, hostname: 'b.local' },
      { deviceId: 'MOVED', host: '10.0.0.52', port: 5554, hostname: 'c.local' },
      { deviceId: 'STRANGER', host: '10.0.0.53', port: 554, hostname: 'd.local' },
    ]);
    assert.deepEqual(merged, [
      { ...records[0], mdnsHostName: 'a.local' },
      base('NEW', { host: '10.0.0.51', port: 554, announcedPort: 554, addressSource: 'mdns', mdnsHostName: 'b.local' }),
      base('MOVED', { host: '10.0.0.52', port: 554, announcedPort: 5554, addressSource: 'mdns', mdnsHostName: 'c.local' }),
      records[3],
    ]);
    assert.equal(records[1]!.host, undefined, 'input left unchanged');
  });

  it('port 554 whatever the SRV record says; a vetoed move keeps the old address', () => {
    const records = [base('A', { host: '10.0.0.2', port: 554, addressSource: 'mdns', pinnedFingerprint: 'AA' })];
    const found = [{ deviceId: 'A', host: '10.0.0.7', port: 8554, hostname: 'a.local' }];
    assert.deepEqual(mergeDiscovered(records, found)[0], { ...records[0], host: '10.0.0.7', port: 554, announcedPort: 8554, mdnsHostName: 'a.local' });
    assert.deepEqual(mergeDiscovered(records, found, () => true)[0], records[0]);
  });
});
