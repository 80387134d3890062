// Folds mDNS answers into the stored base stations. Pure: the caller saves the result.

import type { BaseStationRecord } from '../store/types.js';
import type { DiscoveredBaseStation } from './mdns.js';

/**
 * Returns `records` with the addresses mDNS found. An address the user typed always wins; a base
 * station not seen this time keeps its last address (one lost answer is no reason to forget it);
 * an answer for a deviceId not on the account is ignored (the cloud's device list says what is ours).
 */
export function mergeDiscovered(records: readonly BaseStationRecord[], found: readonly DiscoveredBaseStation[]): BaseStationRecord[] {
  const byId = new Map(found.map((station) => [station.deviceId, station]));
  return records.map((record) => {
    const seen = byId.get(record.deviceId);
    if (!seen || record.addressSource === 'typed') return record;
    return { ...record, host: seen.host, port: seen.port, addressSource: 'mdns' };
  });
}
