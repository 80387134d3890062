// The `transcode` scenario of `npm run bench`: CPU of each derived stream's ffmpeg (an HEVC camera
// of the simulator at 1280x720, its recorded clip, one viewer of /h264 or /sub copying the stream)
// beside the same ffmpeg command run by hand against the camera's native URL, in the same run.
// The by-hand command writes to `-f null` where ours publishes RTP back over loopback RTSP: the
// difference is our packetizing and relaying, the part the 10 % goal is about.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { silentLogger } from '../src/main/log.js';
import { StreamManager } from '../src/main/stream/manager.js';
import { derivedFfmpegArgs } from '../src/main/transcode/command.js';
import { Transcoding } from '../src/main/transcode/transcoding.js';
import { subStreamSize } from '../src/shared/streams.js';
import { SimBaseStation } from '../src/sim/basestation.js';
import type { SimCertificateAuthority } from '../src/sim/ca.js';
import type { ClientIdentity } from '../src/sim/identity.js';
import { infoOfSdp } from '../src/main/stream/source.js';
import { describeMedia } from '../src/sim/describe.js';
import { loadMedia } from '../src/sim/source.js';
import { processCpuSeconds } from './children.js';

const SUB = { width: 640, fps: 5 };

function ffmpegChildren(): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n').filter((l) => /\bffmpeg\b/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds per second of `pids` over `ms`. */
async function cpuPerSecond(pids: number[], ms: number): Promise<number> {
  const before = pids.map(processCpuSeconds);
  await sleep(ms);
  return pids.map(processCpuSeconds).reduce((sum, after, i) => sum + after - before[i]!, 0) / (ms / 1000);
}

function ffmpeg(args: string[]): ChildProcess {
  return spawn('ffmpeg', args, { stdio: 'ignore' });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

export async function transcodeBench(ca: SimCertificateAuthority, identity: ClientIdentity, windowMs: number, warmupMs: number): Promise<void> {
  console.log(`\n### Derived streams: HEVC 1280x720 15 fps camera (recorded clip); ffmpeg CPU over ${windowMs / 1000} s after ${warmupMs / 1000} s\n`);
  const station = new SimBaseStation({ ca, cameras: [{ deviceId: 'CAM-HEVC', codecs: ['hevc'] }] });
  await station.start();
  const manager = new StreamManager({ logger: silentLogger });
  const transcoding = new Transcoding({ ffmpeg: undefined, logger: silentLogger, onChange: () => undefined });
  const choice = await transcoding.encoder();
  if ('unavailable' in choice) {
    console.log(`skipped: ${choice.unavailable}`);
    await station.stop();
    return;
  }
  try {
    await manager.start({
      deviceId: 'CAM-HEVC', cameraId: 'CAM-HEVC', codec: 'hevc', ownBaseStation: false, port: 0, listenAddress: '127.0.0.1', lingerMs: 60_000,
      upstream: { baseStationId: 'B', host: '127.0.0.1', port: station.port, certificatePem: identity.certPem, privateKeyPem: identity.keyPem },
      derive: transcoding.forCamera({ codec: 'hevc', sub: SUB, knownSdp: {}, onDescribed: () => undefined }),
    });
    const url = manager.runtime('CAM-HEVC')!.url;
    // The camera stays up throughout (a native viewer), so both sides read a running stream.
    const native = ffmpeg(['-nostdin', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'null', '-']);
    await sleep(warmupMs);
    const camera = infoOfSdp(describeMedia(await loadMedia('hevc'), '127.0.0.1', url));
    console.log(`encoder: ${choice.encoder.name} (${choice.encoder.hardware ? 'hardware' : 'software'})\n`);
    console.log('| stream | ours: transcoder ffmpeg CPU s/s | by hand against the native URL | ours / by hand |');
    console.log('|---|---|---|---|');
    for (const kind of ['h264', 'sub'] as const) {
      const before = new Set([...ffmpegChildren(), native.pid!]);
      const viewer = ffmpeg(['-nostdin', '-rtsp_transport', 'tcp', '-i', `${url}/${kind}`, '-c', 'copy', '-f', 'null', '-']);
      await sleep(warmupMs);
      const transcoder = ffmpegChildren().filter((pid) => !before.has(pid) && pid !== viewer.pid);
      const ours = await cpuPerSecond(transcoder, windowMs);
      await stop(viewer);
      const scale = kind === 'sub' ? { ...subStreamSize(SUB.width, { width: 1280, height: 720 }), fps: SUB.fps } : undefined;
      const args = derivedFfmpegArgs({ input: url, output: '-', encoder: choice.encoder, camera, ...(scale ? { scale } : {}) });
      const byHand = ffmpeg([...args.slice(0, args.indexOf('-f', args.indexOf('-bsf:v'))), '-f', 'null', '-']);
      await sleep(warmupMs);
      const hand = await cpuPerSecond([byHand.pid!], windowMs);
      await stop(byHand);
      console.log(`| /${kind} | ${ours.toFixed(3)} | ${hand.toFixed(3)} | ${(ours / hand).toFixed(2)} |`);
    }
    await stop(native);
  } finally {
    await manager.stopAll();
    await station.stop();
  }
}
