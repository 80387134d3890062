// `arlo-rtsp devices`: fetch the account's base stations and cameras and show what can stream.

import type { Command } from 'commander';
import { printable } from '../../../shared/text.js';
import { localStreamingNotListed } from '../../arlo/devices.js';
import { withAccount } from './account-context.js';
import { formatDate } from '../../../shared/dates.js';

export function register(program: Command): void {
  program
    .command('devices')
    .description('list the Arlo base stations and cameras of the signed-in account')
    .action(async (_options: unknown, command: Command) => {
      await withAccount(command, { existing: true }, async (account, store) => {
        const found = await account.refreshDevices();
        const data = await store.read();
        for (const station of data.baseStations) {
          const owned = found.baseStations.find((b) => b.deviceId === station.deviceId)?.owned === false ? ', shared with you' : '';
          const enrolled = station.certificateExpires ? `enrolled until ${formatDate(station.certificateExpires)}` : 'not enrolled';
          // Names, models and ids come from the cloud: printed only through `printable`.
          console.log(`${printable(station.name)} (${printable(station.model)}, ${printable(station.deviceId)}${owned}): ${enrolled}`);
          if (station.localStreaming === false) console.log(`  ${localStreamingNotListed(station.localStreamingSaid)}`);
          for (const camera of data.cameras.filter((c) => c.baseStationId === station.deviceId)) {
            const local = camera.localStreaming ? `port ${camera.port}, ${camera.codecs.join('+')}` : 'no local streaming';
            console.log(`  ${printable(camera.name)} (${printable(camera.model)}, ${printable(camera.deviceId)}): ${local}`);
          }
        }
        if (data.baseStations.length === 0) console.log('No base stations on this Arlo account.');
      });
    });
}
