// `npm run soak -- --minutes N` (not in CI): three viewers on one simulated camera (the real H.264
// + AAC clip over mutual TLS with the Nonce rule) for N minutes, printing this process's RSS, heap,
// active handles and each viewer's frames every 30 s, then a verdict on growth. The base station
// session timeout is short so keep-alives and Nonces run all the time. Exits 1 if anything grows.

import { parseArgs } from 'node:util';
import { TestRtspClient } from '../test/integration/sim-client.js';
import { startRig } from '../test/support/stream-rig.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, interval: { type: 'string', default: '30' } } });
const minutes = Number(values.minutes);
const intervalMs = Number(values.interval) * 1000;
if (!(minutes > 0) || !(intervalMs > 0)) throw new Error('usage: npm run soak -- --minutes N [--interval SECONDS]');

interface Sample {
  at: number;
  rss: number;
  heap: number;
  handles: number;
}

const MB = 2 ** 20;
/** Growth from the first settled sample to the last that counts as a leak (a warm heap still moves a little). */
const RSS_GROWTH_LIMIT = 20 * MB;
const HEAP_GROWTH_LIMIT = 10 * MB;

const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { sessionTimeoutSeconds: 10 } });
const viewers: TestRtspClient[] = [];
try {
  const { url, port } = await rig.endpoint('CAM');
  for (let i = 0; i < 3; i++) {
    const viewer = await TestRtspClient.connectPlain(port);
    await viewer.play(url);
    viewers.push(viewer);
  }
  console.log(`soak: 3 viewers on ${url} for ${minutes} min, a sample every ${intervalMs / 1000} s`);
  console.log('  min    RSS MB   heap MB   handles   frames per viewer (last interval)');
  const samples: Sample[] = [];
  const started = Date.now();
  while (Date.now() - started < minutes * 60_000) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, minutes * 60_000 - (Date.now() - started))));
    // The test client copies every packet: count and drop them so they do not pose as a leak.
    const frames = viewers.map((v) => v.frames.splice(0).length);
    const memory = process.memoryUsage();
    const sample = { at: (Date.now() - started) / 60_000, rss: memory.rss, heap: memory.heapUsed, handles: process.getActiveResourcesInfo().length };
    samples.push(sample);
    console.log(`${sample.at.toFixed(1).padStart(5)} ${(sample.rss / MB).toFixed(1).padStart(9)} ${(sample.heap / MB).toFixed(1).padStart(9)} ${String(sample.handles).padStart(9)}   ${frames.join(' / ')}`);
    if (frames.some((n) => n === 0)) throw new Error('a viewer received nothing in the last interval');
  }
  const runtime = rig.manager.runtime('CAM');
  console.log(`upstream sessions ${runtime?.upstreamSessions}, packets dropped ${runtime?.packetsDropped}, Nonce violations ${rig.station.stats.nonceViolations}`);
  // The first sample includes warm-up (JIT, buffers): growth is judged from the second one.
  const first = samples[Math.min(1, samples.length - 1)]!;
  const last = samples.at(-1)!;
  const growth = { rss: last.rss - first.rss, heap: last.heap - first.heap, handles: last.handles - first.handles };
  const grows = growth.rss > RSS_GROWTH_LIMIT || growth.heap > HEAP_GROWTH_LIMIT || growth.handles > 0;
  console.log(
    `verdict: ${grows ? 'GROWING' : 'flat'} (from minute ${first.at.toFixed(1)} to ${last.at.toFixed(1)}: RSS ${(growth.rss / MB).toFixed(1)} MB, ` +
      `heap ${(growth.heap / MB).toFixed(1)} MB, handles ${growth.handles >= 0 ? '+' : ''}${growth.handles}; limits ${RSS_GROWTH_LIMIT / MB} MB, ${HEAP_GROWTH_LIMIT / MB} MB, 0)`,
  );
  process.exitCode = grows ? 1 : 0;
} finally {
  for (const viewer of viewers) viewer.close();
  await rig.close();
}
