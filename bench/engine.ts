// The engine under test in a process of its own, so its CPU and memory are measured alone:
// a StreamManager driven over IPC by bench/run.ts. Messages: `start` (endpoints) → urls,
// `mark` (begin a measured window), `measure` → `EngineFigures` for the window, `stop`.

import { readFileSync } from 'node:fs';
import { silentLogger } from '../src/main/log.js';
import { StreamManager, type EndpointOptions } from '../src/main/stream/manager.js';

export type EngineCommand =
  | { type: 'start'; endpoints: EndpointOptions[] }
  | { type: 'mark' }
  | { type: 'measure' }
  | { type: 'stop' };

export interface EngineFigures {
  cpuSeconds: number;
  bytesIn: number;
  bytesOut: number;
  packetsDropped: number;
  /** Peak resident set of the engine process since it started (VmHWM). */
  peakRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
}

const manager = new StreamManager({ logger: silentLogger });
let markCpu = process.cpuUsage();
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

function peakRss(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
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
        markCpu = process.cpuUsage();
        markBytes = totals();
        process.send?.('marked');
        return;
      case 'measure': {
        const cpu = process.cpuUsage(markCpu);
        const now = totals();
        const memory = process.memoryUsage();
        const figures: EngineFigures = {
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          bytesIn: now.bytesIn - markBytes.bytesIn,
          bytesOut: now.bytesOut - markBytes.bytesOut,
          packetsDropped: now.packetsDropped - markBytes.packetsDropped,
          peakRssBytes: peakRss(),
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
