// Changes to one stored base station that more than one front end makes (the service, the CLI).

import { AppError } from '../errors.js';
import type { DataStore } from './types.js';

/** Forgets the pinned certificate of a base station that was replaced or reset; the next session pins anew. */
export async function forgetPin(store: DataStore, baseStationId: string): Promise<void> {
  await store.update((data) => {
    const record = data.baseStations.find((b) => b.deviceId === baseStationId);
    if (!record) throw new AppError('unknown-base-station', `No base station with id ${baseStationId} is known: run "arlo-rtsp devices" to list them.`);
    delete record.pinnedFingerprint;
  });
}
