// The engine under test in a process of its own, so its CPU and memory are measured alone:
// a StreamManager driven over IPC by bench/run.ts. Messages: `start` (endpoints) → urls,
// `mark` (begin a measured window), `measure` → `EngineFigures` for the window, `stop` (then it
// exits by itself, so a `--cpu-prof` profile gets written). Its CPU is read from outside, by pid,
// with the same counter as stunnel's.

import { silentLogger } from '../src/main/log.js';
import { StreamManager, type EndpointOptions } from '../src/main/stream/manager.js';
import { peakRssOf } from './children.js';

export type EngineCommand =
  | { type: 'start'; endpoints: EndpointOptions[] }
  | { type: 'mark' }
  | { type: 'measure' }
  | { type: 'stop' };

export interface EngineFigures {
  /** Bytes received from the base station (as `$` frames) in the window. */
  bytesIn: number;
  bytesOut: number;
  packetsDropped: number;
  /** Peak resident set of the engine process since it started (VmHWM). */
  peakRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

const manager = new StreamManager({ logger: silentLogger });
let markBytes = { bytesIn: 0, bytesOut: 0, packetsDropped: 0 };

function totals(): typeof markBytes {
  const sum = { bytesIn: 0, bytesOut: 0, packetsDropped: 0 };
  for (const runtime of manager.runtimes()) {
    sum.bytesIn += runtime.bytesIn;
    sum.bytesOut += runtime.bytesOut;
    sum.packetsDropped += runtime.packetsDropped;
  }
  return sum;
}

process.on('message', (command: EngineCommand) => {
  void (async () => {
    switch (command.type) {
      case 'start': {
        for (const endpoint of command.endpoints) await manager.start(endpoint);
        process.send?.(manager.runtimes().map((r) => r.url));
        return;
      }
      case 'mark':
        markBytes = totals();
        process.send?.('marked');
        return;
      case 'measure': {
        const now = totals();
        const memory = process.memoryUsage();
        const figures: EngineFigures = {
          bytesIn: now.bytesIn - markBytes.bytesIn,
          bytesOut: now.bytesOut - markBytes.bytesOut,
          packetsDropped: now.packetsDropped - markBytes.packetsDropped,
          peakRssBytes: peakRssOf(process.pid),
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
        };
        process.send?.(figures);
        return;
      }
      case 'stop':
        await manager.stopAll();
        process.send?.('stopped', () => process.exit(0));
    }
  })();
});

// Asked to stop without a `stop` message (the bench failed): still exit normally, for the profile.
process.once('SIGTERM', () => void manager.stopAll().finally(() => process.exit(0)));
