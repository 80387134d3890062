// Changes to one stored base station that more than one front end makes (the service, the CLI).

import { AppError } from '../errors.js';
import type { UrlHostFacts } from '../rtsp/url-host.js';
import type { PeerIdentity, Pin } from '../stream/identity.js';
import type { BaseStationRecord, DataStore } from './types.js';

/** Forgets the pinned identity (certificate and key) of a base station that was replaced or reset; the next session pins anew. */
export async function forgetPin(store: DataStore, baseStationId: string): Promise<void> {
  await store.update((data) => {
    const record = data.baseStations.find((b) => b.deviceId === baseStationId);
    if (!record) throw new AppError('unknown-base-station', `No base station with id ${baseStationId} is known: run "arlo-rtsp devices" to list them.`);
    delete record.pinnedFingerprint;
    delete record.pinnedKey;
  });
}

/** The stored pin of a base station, as the stream engine and the TLS checks compare it. */
export function pinOf(record: BaseStationRecord): Pin {
  return {
    ...(record.pinnedFingerprint !== undefined ? { fingerprint: record.pinnedFingerprint } : {}),
    ...(record.pinnedKey !== undefined ? { key: record.pinnedKey } : {}),
  };
}

/** Stores what the engine pinned: the first identity seen, or the pin brought up to date. */
export function storePin(record: BaseStationRecord, identity: PeerIdentity): void {
  record.pinnedFingerprint = identity.fingerprint;
  record.pinnedKey = identity.key;
}

/** What the stored record says of how request URLs may name the base station (rtsp/url-host.ts). */
export function urlHostNamingOf(record: BaseStationRecord): Omit<UrlHostFacts, 'address' | 'port'> {
  return {
    model: record.model,
    ...(record.mdnsHostName !== undefined ? { mdnsHostName: record.mdnsHostName } : {}),
    ...(record.urlHostForm !== undefined ? { lastWorked: record.urlHostForm } : {}),
  };
}
