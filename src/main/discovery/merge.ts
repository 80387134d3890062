// Folds mDNS answers into the stored base stations. Pure: the caller saves the result.

import { ARLO_RTSP_PORT } from '../rtsp/url.js';
import type { BaseStationRecord } from '../store/types.js';
import type { DiscoveredBaseStation } from './mdns.js';

/**
 * Returns `records` with the addresses mDNS found. An address the user typed always wins; a base
 * station not seen this time keeps its last address (one lost answer is no reason to forget it);
 * an answer for a deviceId not on the account is ignored (the cloud's device list says what is ours).
 * The port is always 554, as in every working client; the SRV port is kept only to show it.
 * `keep(record, seen)` may veto a move (a pinned base station whose new address presents
 * another certificate). The mDNS host name is kept for every believed answer, a typed address's too:
 * request URLs may name the base station by it.
 */
export function mergeDiscovered(
  records: readonly BaseStationRecord[],
  found: readonly DiscoveredBaseStation[],
  keep: (record: BaseStationRecord, seen: DiscoveredBaseStation) => boolean = () => false,
): BaseStationRecord[] {
  const byId = new Map(found.map((station) => [station.deviceId, station]));
  return records.map((record) => {
    const seen = byId.get(record.deviceId);
    // A vetoed answer is not believed in anything, its name included.
    if (!seen || keep(record, seen)) return record;
    // Its name is worth knowing whoever gave the address: request URLs may name it so (rtsp/url-host.ts).
    const named = seen.hostname ? { ...record, mdnsHostName: seen.hostname } : record;
    if (record.addressSource === 'typed') return named;
    return { ...named, host: seen.host, port: ARLO_RTSP_PORT, announcedPort: seen.port, addressSource: 'mdns' };
  });
}
