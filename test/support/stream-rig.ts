// Shared rig for the stream engine's tests: a strict simulated base station over mutual TLS with
// the Nonce rule, a StreamManager in front of it, and stock ffmpeg/ffprobe as viewers. Everything
// listens on 127.0.0.1 and is cleaned up by `close()` (children killed, sockets closed).

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { SimBaseStation, type SimBaseStationOptions, type SimCamera } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { silentLogger, type Logger } from '../../src/main/log.js';
import { StreamManager, type EndpointOptions, type EndpointRuntime } from '../../src/main/stream/manager.js';
import { issueIdentity, type ClientIdentity } from '../../src/sim/identity.js';

export interface Rig {
  ca: SimCertificateAuthority;
  station: SimBaseStation;
  identity: ClientIdentity;
  manager: StreamManager;
  /** Starts an endpoint for a simulated camera on an ephemeral port; returns its runtime (with the URL). */
  endpoint(cameraId: string, overrides?: Partial<EndpointOptions>): Promise<EndpointRuntime>;
  close(): Promise<void>;
}

export interface RigOptions {
  cameras: SimCamera[];
  station?: Partial<SimBaseStationOptions>;
  logger?: Logger;
  ca?: SimCertificateAuthority;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const ca = options.ca ?? (await SimCertificateAuthority.create());
  const identity = issueIdentity(ca);
  const station = new SimBaseStation({ ca, cameras: options.cameras, ...options.station });
  await station.start();
  const manager = new StreamManager({ logger: options.logger ?? silentLogger, publishIntervalMs: 100 });
  return {
    ca,
    station,
    identity,
    manager,
    async endpoint(cameraId, overrides = {}) {
      const camera = options.cameras.find((c) => c.deviceId === cameraId)!;
      await manager.start({
        deviceId: cameraId,
        cameraId,
        codec: camera.codecs[0]!,
        ownBaseStation: camera.ownBaseStation ?? false,
        port: 0,
        listenAddress: '127.0.0.1',
        lingerMs: 300,
        upstream: {
          baseStationId: 'BASE1',
          host: '127.0.0.1',
          port: station.port,
          certificatePem: identity.certPem,
          privateKeyPem: identity.keyPem,
        },
        ...overrides,
      });
      return manager.runtime(overrides.deviceId ?? cameraId)!;
    },
    async close() {
      killChildren();
      await manager.stopAll();
      await station.stop();
      // Every test of the engine ends with the Nonce rule kept throughout.
      if (station.stats.nonceViolations !== 0) throw new Error(`${station.stats.nonceViolations} Nonce violations`);
    },
  };
}

/**
 * One rig for the tests of the suite (or file) this is called in: started before them, closed after
 * them. Its members are read as the tests run, once it has started.
 */
export function rigForTests(options: RigOptions): Rig {
  let rig: Rig | undefined;
  before(async () => {
    rig = await startRig(options);
  });
  after(async () => {
    await rig?.close();
  });
  const started = (): Rig => {
    if (!rig) throw new Error('the rig is used before it started');
    return rig;
  };
  return {
    get ca() { return started().ca; },
    get station() { return started().station; },
    get identity() { return started().identity; },
    get manager() { return started().manager; },
    endpoint: (cameraId, overrides) => started().endpoint(cameraId, overrides),
    close: () => started().close(),
  };
}

/** Starts a rig in a test; every rig it started is closed after the tests of the suite (or file) this is called in. */
export function rigsClosedAfterTests(): (options: RigOptions) => Promise<Rig> {
  const rigs: Rig[] = [];
  after(async () => {
    for (const rig of rigs) await rig.close();
  });
  return async (options) => {
    const rig = await startRig(options);
    rigs.push(rig);
    return rig;
  };
}

const children = new Set<ChildProcess>();

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (killed after `timeoutMs`), collecting its output. */
export function run(command: string, args: string[], timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  /** With `countFrames`: how many pictures ffprobe decoded. */
  nb_read_frames?: string;
}

async function probeStreams(input: string, options: string[]): Promise<ProbedStream[]> {
  const result = await run('ffprobe', ['-v', 'error', ...options, '-show_streams', '-of', 'json', input]);
  if (result.code !== 0) throw new Error(`ffprobe failed (${result.code}): ${result.stderr}`);
  return (JSON.parse(result.stdout) as { streams: ProbedStream[] }).streams;
}

export function ffprobe(url: string, transport: 'tcp' | 'default' = 'tcp'): Promise<ProbedStream[]> {
  return probeStreams(url, transport === 'tcp' ? ['-rtsp_transport', 'tcp'] : []);
}

/** The streams of a file; `countFrames` decodes it whole to count its pictures. */
export function ffprobeFile(file: string, options: { countFrames?: boolean } = {}): Promise<ProbedStream[]> {
  return probeStreams(file, options.countFrames ? ['-count_frames'] : []);
}

/** The streams of the JPEG in a `data:` URL (a camera's latest picture), written to `file` to be probed. */
export async function ffprobeJpegDataUrl(dataUrl: string, file: string): Promise<ProbedStream[]> {
  const [prefix, base64] = dataUrl.split(',');
  assert.equal(prefix, 'data:image/jpeg;base64');
  await writeFile(file, Buffer.from(base64!, 'base64'));
  return ffprobeFile(file);
}

/** Decodes `frames` video frames with ffmpeg; returns the frame count it reports and its error output. */
export async function ffmpegDecode(
  url: string,
  options: { frames: number; transport?: 'tcp' | 'default'; timeoutMs?: number },
): Promise<{ code: number | null; frames: number; errors: string }> {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-stats_period', '0.5', '-progress', 'pipe:1',
    ...(options.transport === 'default' ? [] : ['-rtsp_transport', 'tcp']),
    '-i', url, '-map', '0:v', '-frames:v', String(options.frames), '-f', 'null', '-',
  ];
  const result = await run('ffmpeg', args, options.timeoutMs ?? 20_000);
  const counts = [...result.stdout.matchAll(/^frame=(\d+)/gm)].map((m) => Number(m[1]));
  return { code: result.code, frames: counts.at(-1) ?? 0, errors: result.stderr.trim() };
}
