// The whole product process for the bench: `arlo-rtsp serve` as a user runs it (the built
// dist/main/headless/cli.js, compiled from this checkout once per bench run, started plainly as the
// npm bin starts, on a data dir holding what enrollment leaves behind), with the web UI's events socket connected as an open browser tab
// has it. Its CPU is read from outside by pid, like the engine's and stunnel's.
// BENCH_CPU_PROF=<dir> profiles it as well (it writes the profile when SIGTERM stops it);
// BENCH_SERVE_LOG=<file> keeps what it printed (e.g. with BENCH_SERVE_NODE_FLAGS=--trace-gc).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { AppState } from '../src/shared/api.js';
import { openDataStore } from '../src/main/store/data-store.js';
import { peakRssOf, rssOf } from './children.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = new URL('../dist/main/headless/cli.js', import.meta.url).pathname;
const PASSPHRASE = 'bench passphrase';
const START_TIMEOUT_MS = 60_000;

export interface ServeProcess {
  pid: number;
  /** Each camera's RTSP URL, in the order of `cameraIds`. */
  urls: string[];
  /** State messages the events socket has received so far. */
  readonly stateMessages: number;
  /** Bytes received from the base station, summed over cameras (GET /api/state). */
  bytesIn(): Promise<number>;
  peakRss(): number;
  rss(): number;
  stop(): Promise<void>;
}

let built: Promise<void> | undefined;

/** Compiles src/main (as `npm run build:node`), so the process measured runs this checkout's code. */
function build(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], (error, stdout) => {
      if (error) reject(new Error(`the build for the serve path failed: ${stdout}`, { cause: error }));
      else resolve();
    });
  });
  return built;
}

/** Enrolled base station `BENCH` at 127.0.0.1:`baseStationPort` with `cameraIds`, each a running camera. */
export async function startServe(baseStationPort: number, cameraIds: string[], identity: { certPem: string; keyPem: string }): Promise<ServeProcess> {
  await build();
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-serve-'));
  const store = await openDataStore(dataDir, { passphrase: PASSPHRASE });
  await store.secrets.set('clientPrivateKey', identity.keyPem);
  await store.update((data) => {
    data.baseStations = [{
      deviceId: 'BENCH', name: 'Bench', model: 'VMB5000', uniqueId: 'u_BENCH', host: '127.0.0.1', port: baseStationPort,
      addressSource: 'typed', certificatePem: identity.certPem, certificateExpires: new Date(Date.now() + 86_400_000).toISOString(),
    }];
    data.cameras = cameraIds.map((id, i) => ({
      deviceId: id, name: `Bench ${i + 1}`, model: 'VMC4041P', baseStationId: 'BENCH', ownBaseStation: false,
      codecs: ['avc' as const], codec: 'avc' as const, port: 8556 + i, localStreaming: true, running: true,
    }));
  });
  const portBase = 20_000 + Math.floor(Math.random() * 20_000);
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // V8 flags for A/B runs of the product process alone (e.g. heap sizing), as `node <flags> cli.js` would get them.
  const nodeFlags = process.env.BENCH_SERVE_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  // Started plainly, as the npm bin starts: node with the flags of the CLI's own first line
  // (`#!/usr/bin/env -S node ...`, what the kernel runs), no NODE_OPTIONS, the passphrase in the environment.
  const env: NodeJS.ProcessEnv = { ...process.env, ARLO_RTSP_PASSPHRASE: PASSPHRASE };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [
    ...interpreterFlags(), ...profile, ...nodeFlags, CLI, '--data-dir', dataDir, 'serve',
    '--basestation', `BENCH=127.0.0.1:${baseStationPort}`, '--port-base', String(portBase), '--http', '127.0.0.1:0',
  ], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    kill(child, 'SIGTERM');
    const timer = setTimeout(() => kill(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    if (process.env.BENCH_SERVE_LOG) await appendFile(process.env.BENCH_SERVE_LOG, output);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const stateUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), START_TIMEOUT_MS);
      const look = () => {
        const url = /state: (http:\/\/\S+)/.exec(output)?.[1];
        if (!url) return;
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(url);
      };
      child.stdout!.on('data', look);
      void exited.then(() => reject(new Error(`serve exited: ${output}`)));
    });
    const urls = cameraIds.map((id) => {
      const url = new RegExp(`\\(${id}\\): (rtsp://\\S+)`).exec(output)?.[1];
      if (!url) throw new Error(`serve printed no URL for ${id}: ${output}`);
      return url;
    });
    let stateMessages = 0;
    const events = new WebSocket(stateUrl.replace(/^http/, 'ws').replace(/\/api\/state$/, '/api/events'));
    events.on('message', () => stateMessages++);
    await new Promise((resolve, reject) => events.once('open', resolve).once('error', reject));
    return {
      pid: child.pid ?? 0,
      urls,
      get stateMessages() {
        return stateMessages;
      },
      async bytesIn() {
        const state = (await (await fetch(stateUrl)).json()) as AppState;
        return state.cameras.reduce((sum, camera) => sum + camera.bytesIn, 0);
      },
      peakRss: () => peakRssOf(child.pid ?? 0),
      rss: () => rssOf(child.pid ?? 0),
      async stop() {
        events.close();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The node flags on the built CLI's `#!/usr/bin/env -S node <flags>` line. */
function interpreterFlags(): string[] {
  const [, ...words] = /^#!\/usr\/bin\/env -S (.*)$/m.exec(readFileSync(CLI, 'utf8').split('\n')[0]!)?.[1]?.split(' ') ?? [];
  return words;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
