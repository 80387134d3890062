// `npm run bench`: the stream engine against its references on loopback, one table per scenario.
//
//   npm run bench                          # every scenario, about 3-4 minutes
//   npm run bench -- --duration 10 --only 5x3,late
//
// The simulated base station (this process) sends synthetic H.264 at a set bitrate, each video
// RTP packet stamped with its send time, over mutual TLS with the Nonce rule. Viewers run in a
// child process (bench/viewers.ts) and read it three ways:
//   direct   straight from the base station (mutual TLS + Nonce in the viewer): the zero-proxy floor
//   stunnel  through stunnel4 in client mode (the C floor for TLS termination plus copying)
//   ours     through the engine, a StreamManager in a child process (bench/engine.ts)
// Figures: CPU seconds per GB delivered to viewers (engine: process.cpuUsage(); stunnel: /proc),
// per-packet latency p50/p99 and what a relay adds to the direct path's, peak RSS, packets
// dropped, one camera's throughput ceiling, and a late viewer's wait for its first keyframe with
// and without the hub's keyframe cache.

import { parseArgs } from 'node:util';
import { SimBaseStation } from '../src/sim/basestation.js';
import { SimCertificateAuthority } from '../src/sim/ca.js';
import type { EndpointOptions } from '../src/main/stream/manager.js';
import type { HubLimits } from '../src/main/stream/hub.js';
import { issueIdentity, type ClientIdentity } from '../src/sim/identity.js';
import { Child, processCpuSeconds, startStunnel } from './children.js';
import type { EngineFigures } from './engine.js';
import type { ViewerReport, ViewerSpec } from './viewers.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    fps: { type: 'string', default: '15' },
  },
});
const DURATION_MS = Number(flags.duration) * 1000;
const WARMUP_MS = Number(flags.warmup) * 1000;
const FPS = Number(flags.fps);
const only = flags.only?.split(',');
const wanted = (name: string) => !only || only.some((o) => name.includes(o));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  path: string;
  viewers: number;
  bytes: number;
  cpuSeconds?: number;
  latencies: number[];
  lost: number;
  dropped?: number;
  peakRss?: number;
  errors: string[];
}

let ca: SimCertificateAuthority;
let identity: ClientIdentity;

async function station(cameras: number, bitrate: number, keyframeIntervalFrames = FPS): Promise<SimBaseStation> {
  const sim = new SimBaseStation({
    ca,
    cameras: Array.from({ length: cameras }, (_, i) => ({ deviceId: `CAM${i + 1}`, codecs: ['avc' as const] })),
    source: { synthetic: { bitrate, fps: FPS, keyframeIntervalFrames, stampPayload: true } },
  });
  await sim.start();
  return sim;
}

/** Runs viewers for warmup + duration; `window` brackets the measured part. */
async function view(specs: ViewerSpec[], window: { start?(): void | Promise<void>; end?(): void | Promise<void> } = {}, durationMs = DURATION_MS): Promise<ViewerReport[]> {
  const child = new Child('./viewers.ts');
  try {
    const reports = child.ask<ViewerReport[]>({ viewers: specs, warmupMs: WARMUP_MS, durationMs });
    await sleep(WARMUP_MS);
    await window.start?.();
    await sleep(durationMs);
    await window.end?.();
    return await reports;
  } finally {
    child.kill();
  }
}

function row(path: string, reports: ViewerReport[], extra: Partial<Row> = {}): Row {
  return {
    path,
    viewers: reports.length,
    bytes: reports.reduce((sum, r) => sum + r.bytes, 0),
    latencies: reports.flatMap((r) => r.latencies).sort((a, b) => a - b),
    lost: reports.reduce((sum, r) => sum + r.lost, 0),
    errors: reports.flatMap((r) => (r.error ? [r.error] : [])),
    ...extra,
  };
}

async function direct(sim: SimBaseStation, ids: string[]): Promise<Row> {
  return row('direct', await view(ids.map((id) => ({ url: sim.urlFor(id), tls: identity, nonce: true }))));
}

async function viaStunnel(sim: SimBaseStation, ids: string[]): Promise<Row> {
  const stunnel = await startStunnel(ids.map(() => sim.port), identity);
  try {
    let cpu = 0;
    const reports = await view(
      ids.map((id, i) => ({ url: sim.urlFor(id).replace(`:${sim.port}/`, `:${stunnel.ports[i]}/`), nonce: true })),
      { start: () => void (cpu = processCpuSeconds(stunnel.pid)), end: () => void (cpu = processCpuSeconds(stunnel.pid) - cpu) },
    );
    return row('stunnel', reports, { cpuSeconds: cpu });
  } finally {
    stunnel.stop();
  }
}

async function ours(sim: SimBaseStation, ids: string[], viewersPerCamera: number, limits?: Partial<HubLimits>, durationMs?: number): Promise<{ row: Row; reports: ViewerReport[] }> {
  const engine = new Child('./engine.ts');
  try {
    const endpoints: EndpointOptions[] = ids.map((id) => ({
      deviceId: id, cameraId: id, codec: 'avc', ownBaseStation: false, port: 0, listenAddress: '127.0.0.1', lingerMs: 1_000,
      upstream: { baseStationId: 'BENCH', host: '127.0.0.1', port: sim.port, certificatePem: identity.certPem, privateKeyPem: identity.keyPem },
      ...(limits ? { limits } : {}),
    }));
    const urls = await engine.ask<string[]>({ type: 'start', endpoints });
    let figures: EngineFigures | undefined;
    const specs = urls.flatMap((url) => Array.from({ length: viewersPerCamera }, (): ViewerSpec => ({ url, nonce: false })));
    const reports = await view(specs, {
      start: async () => void (await engine.ask({ type: 'mark' })),
      end: async () => void (figures = await engine.ask<EngineFigures>({ type: 'measure' })),
    }, durationMs);
    await engine.ask({ type: 'stop' });
    return { row: row('ours', reports, { cpuSeconds: figures?.cpuSeconds, dropped: figures?.packetsDropped, peakRss: figures?.peakRssBytes }), reports };
  } finally {
    engine.kill();
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const fixed = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));

function printTable(title: string, rows: Row[]): void {
  const base = rows.find((r) => r.path === 'direct');
  const stunnel = rows.find((r) => r.path === 'stunnel');
  const perGb = (r: Row) => (r.cpuSeconds === undefined ? undefined : r.cpuSeconds / (r.bytes / 1e9));
  const header = ['path', 'viewers', 'Mbit/s out', 'CPU s', 'CPU s/GB', '× stunnel', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'peak RSS MB', 'dropped', 'lost'];
  const lines = rows.map((r) => {
    const p50 = quantile(r.latencies, 0.5);
    const p99 = quantile(r.latencies, 0.99);
    const ratio = stunnel && perGb(r) !== undefined && perGb(stunnel) ? perGb(r)! / perGb(stunnel)! : undefined;
    return [
      r.path, String(r.viewers), fixed((r.bytes * 8) / (DURATION_MS / 1000) / 1e6, 1), fixed(r.cpuSeconds), fixed(perGb(r), 1),
      r.path === 'ours' ? fixed(ratio) : '', fixed(p50), fixed(p99),
      base && r !== base ? fixed(p50 - quantile(base.latencies, 0.5)) : '', base && r !== base ? fixed(p99 - quantile(base.latencies, 0.99)) : '',
      r.peakRss === undefined ? '' : fixed(r.peakRss / 2 ** 20, 0), r.dropped === undefined ? '' : String(r.dropped), String(r.lost),
    ];
  });
  console.log(`\n### ${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
  for (const r of rows) if (r.errors.length > 0) console.log(`\n${r.path}: ${r.errors.length} viewer error(s): ${[...new Set(r.errors)].join('; ')}`);
}

async function scenario(name: string, cameras: number, viewersPerCamera: number, bitrate: number): Promise<void> {
  if (!wanted(name)) return;
  const sim = await station(cameras, bitrate);
  const ids = sim.cameras.map((c) => c.deviceId);
  try {
    const rows = [await direct(sim, ids), await viaStunnel(sim, ids), (await ours(sim, ids, viewersPerCamera)).row];
    printTable(`${name}: ${cameras} camera(s) × ${viewersPerCamera} viewer(s) at ${bitrate / 1e6} Mbit/s (direct and stunnel: 1 viewer per camera, the base station serves one stream per camera)`, rows);
  } finally {
    await sim.stop();
  }
}

/** Raises one camera's bitrate until the engine's delivery falls behind the direct path's. */
async function ceiling(): Promise<void> {
  if (!wanted('ceiling')) return;
  console.log('\n### Throughput ceiling: 1 camera × 1 viewer, 3 s per step\n');
  console.log('| Mbit/s sent | direct Mbit/s | ours Mbit/s | ours p99 ms | direct p99 ms | sim frames dropped (ours) | verdict |');
  console.log('|---|---|---|---|---|---|---|');
  for (const mbit of [60, 120, 240, 480]) {
    const sim = await station(1, mbit * 1e6);
    try {
      const measure = async (run: () => Promise<Row>) => {
        const before = sim.stats.framesDropped;
        const r = await run();
        return { r, simDropped: sim.stats.framesDropped - before };
      };
      const d = await measure(async () => row('direct', await view([{ url: sim.urlFor('CAM1'), tls: identity, nonce: true }], {}, 3_000)));
      const o = await measure(async () => (await ours(sim, ['CAM1'], 1, undefined, 3_000)).row);
      const rate = (r: Row) => (r.bytes * 8) / 3 / 1e6;
      const behind = rate(o.r) < 0.95 * mbit || o.simDropped > 0 || quantile(o.r.latencies, 0.99) > 100;
      console.log(`| ${mbit} | ${fixed(rate(d.r), 1)} | ${fixed(rate(o.r), 1)} | ${fixed(quantile(o.r.latencies, 0.99))} | ${fixed(quantile(d.r.latencies, 0.99))} | ${o.simDropped} | ${behind ? 'falls behind' : 'keeps up'} |`);
      if (behind) break;
    } finally {
      await sim.stop();
    }
  }
}

/** A viewer joining a running stream: connect to first keyframe packet, with and without the cache. */
async function lateJoiner(): Promise<void> {
  if (!wanted('late')) return;
  const joiners = 6;
  const spacing = 1_370; // Not a multiple of the 1 s GOP: joiners land at different points in it.
  console.log(`\n### Late joiner: 1 camera at 8 Mbit/s, a keyframe every ${FPS} frames (1 s); ${joiners} viewers join one by one while one watches\n`);
  console.log('| keyframe cache | first keyframe p50 ms | max ms | each (ms) |');
  console.log('|---|---|---|---|');
  for (const [label, limits] of [['on (default 4 MB)', undefined], ['off (cacheBytes 0)', { cacheBytes: 0 }]] as const) {
    const sim = await station(1, 8e6);
    try {
      const engine = new Child('./engine.ts');
      try {
        const [url] = await engine.ask<string[]>({
          type: 'start',
          endpoints: [{
            deviceId: 'CAM1', cameraId: 'CAM1', codec: 'avc', ownBaseStation: false, port: 0, listenAddress: '127.0.0.1', lingerMs: 1_000,
            upstream: { baseStationId: 'BENCH', host: '127.0.0.1', port: sim.port, certificatePem: identity.certPem, privateKeyPem: identity.keyPem },
            ...(limits ? { limits } : {}),
          }],
        });
        const specs: ViewerSpec[] = [{ url: url!, nonce: false }, ...Array.from({ length: joiners }, (_, i) => ({ url: url!, nonce: false, delayMs: 1_500 + i * spacing }))];
        const reports = await view(specs, {}, 1_500 + joiners * spacing + 1_000 - WARMUP_MS);
        const waits = reports.slice(1).map((r) => r.firstKeyframeMs ?? NaN);
        const sorted = [...waits].sort((a, b) => a - b);
        console.log(`| ${label} | ${fixed(quantile(sorted, 0.5), 0)} | ${fixed(sorted.at(-1), 0)} | ${waits.map((w) => fixed(w, 0)).join(', ')} |`);
        await engine.ask({ type: 'stop' });
      } finally {
        engine.kill();
      }
    } finally {
      await sim.stop();
    }
  }
}

async function main(): Promise<void> {
  ca = await SimCertificateAuthority.create();
  identity = issueIdentity(ca, 'bench');
  console.log(`# arlo-rtsp bench: ${DURATION_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up, ${FPS} fps synthetic H.264`);
  await scenario('1x1@8', 1, 1, 8e6);
  await scenario('1x1@20', 1, 1, 20e6);
  await scenario('1x1@40', 1, 1, 40e6);
  await scenario('5x3@20', 5, 3, 20e6);
  await lateJoiner();
  await ceiling();
}

await main();
