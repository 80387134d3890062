// `arlo-rtsp basestation forget-pin <id>`: forget the key and certificate pinned for a base station
// that was replaced or reset, so the next stream pins the new one (a renewed certificate on the
// pinned key needs no forgetting). The error a pin mismatch shows
// points here.

import type { Command } from 'commander';
import { createLogger } from '../../log.js';
import { forgetPin } from '../../store/base-stations.js';
import { openDataStore } from '../../store/data-store.js';

export function register(program: Command): void {
  const basestation = program.command('basestation').description('manage one base station');
  basestation
    .command('forget-pin <id>')
    .description("forget the base station's pinned certificate and key (after replacing or resetting it); the next stream pins anew")
    .action(async (id: string, _options: unknown, command: Command) => {
      const { dataDir } = command.optsWithGlobals<{ dataDir: string }>();
      const store = await openDataStore(dataDir, { logger: createLogger({ level: process.env.ARLO_RTSP_LOG_LEVEL ?? 'warn' }), existing: true });
      await forgetPin(store, id);
      console.log(`Forgot the pinned certificate of ${id}; the next stream pins the certificate it presents. A running "arlo-rtsp serve" keeps its pin until restarted.`);
    });
}
