// A camera's derived streams (issue 23), played by stock ffmpeg against the strict simulated base
// station: an HEVC camera at 1280x720 natively, as /h264 (transcoded to H.264 at its size) and as
// /sub (H.264, 640 wide, same aspect) at the same time for 20 s, all from one base-station session;
// no ffmpeg child of ours remains after the last viewer left. GStreamer's rtspsrc plays /sub too.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { Transcoding } from '../../src/main/transcode/transcoding.js';
import { ffprobeFile, rigForTests, run, type ProbedStream, type RunResult } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

/** ffmpeg children of this process (the transcoders; the test's own viewers have ended by then). */
function ffmpegChildren(): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no child
  }
  return out.split('\n').filter((line) => /\bffmpeg\b/.test(line)).map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Plays `url` for `seconds` with ffmpeg, decoding the video; the last frame count it reported. */
async function play(url: string, seconds: number): Promise<{ result: RunResult; frames: number }> {
  const result = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-rtsp_transport', 'tcp',
    '-i', url, '-map', '0:v', '-t', String(seconds), '-f', 'null', '-',
  ], (seconds + 40) * 1000);
  const counts = [...result.stdout.matchAll(/^frame=(\d+)/gm)].map((m) => Number(m[1]));
  return { result, frames: counts.at(-1) ?? 0 };
}

describe('derived streams of an HEVC camera', () => {
  const rig = rigForTests({ cameras: [{ deviceId: 'CAM-HEVC', codecs: ['hevc'] }] });
  const transcoding = new Transcoding({ ffmpeg: undefined, logger: silentLogger, onChange: () => undefined });
  const derive = transcoding.forCamera({ codec: 'hevc', sub: { width: 640, fps: 5 }, knownSdp: {}, onDescribed: () => undefined });

  it('plays native, /h264 and /sub at once for 20 s on one base-station session, and leaves no ffmpeg behind', { timeout: 180_000 }, async () => {
    const endpoint = await rig.endpoint('CAM-HEVC', { derive, lingerMs: 5_000 });
    const base = endpoint.url;
    // A transcoder starts on the probe's DESCRIBE and ffprobe reads 5 s before it answers: on a loaded machine that is more than its 20 s default.
    const probe = async (url: string) => {
      const result = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_streams', '-of', 'json', url], 90_000);
      assert.equal(result.code, 0, `ffprobe ${url}: ${result.stderr}`);
      return (JSON.parse(result.stdout) as { streams: ProbedStream[] }).streams;
    };
    const [native, h264, sub] = await Promise.all([probe(base), probe(`${base}/h264`), probe(`${base}/sub`)]);
    const video = (streams: typeof native) => streams.find((s) => s.codec_type === 'video')!;
    assert.deepEqual([video(native).codec_name, video(native).width, video(native).height], ['hevc', 1280, 720]);
    assert.deepEqual([video(h264).codec_name, video(h264).width, video(h264).height], ['h264', 1280, 720]);
    assert.equal(video(sub).codec_name, 'h264');
    assert.ok(video(sub).width! <= 704, `sub is ${video(sub).width} wide`);
    assert.equal(video(sub).width! * 720, video(sub).height! * 1280, 'sub keeps the aspect');

    const played = await Promise.all([play(base, 20), play(`${base}/h264`, 20), play(`${base}/sub`, 20)]);
    for (const [index, { result, frames }] of played.entries()) {
      assert.equal(result.code, 0, `viewer ${index}: ${result.stderr}`);
      // 20 s at 15 fps (5 fps for sub); a loaded machine may start a few frames late.
      assert.ok(frames >= (index === 2 ? 60 : 200), `viewer ${index} decoded ${frames} frames`);
    }
    assert.equal(rig.station.stats.sessionsOpened, 1, 'one base-station session for every stream');

    await waitFor(() => ffmpegChildren().length === 0, 40_000, 'no ffmpeg child 40 s after the last viewer left');
    await waitFor(() => rig.station.stats.activeSessions === 0, 10_000, 'the camera to be let go after its linger');
  });

  it('serves /sub to GStreamer rtspsrc', { timeout: 90_000 }, async () => {
    const endpoint = rig.manager.runtime('CAM-HEVC') ?? (await rig.endpoint('CAM-HEVC', { derive }));
    const dir = await mkdtemp(join(tmpdir(), 'derived-gst-'));
    const file = join(dir, 'sub.h264');
    try {
      const result = await run('gst-launch-1.0', [
        '-e', 'rtspsrc', `location=${endpoint.url}/sub`, 'protocols=tcp', 'latency=0',
        '!', 'rtph264depay', '!', 'h264parse', '!', 'video/x-h264,stream-format=byte-stream,alignment=au',
        '!', 'identity', 'eos-after=10', '!', 'filesink', `location=${file}`,
      ], 60_000);
      assert.match(result.stdout, /Got EOS from element/, `${result.stdout}\n${result.stderr}`);
      const [stream] = await ffprobeFile(file, { countFrames: true });
      assert.equal(stream?.codec_name, 'h264');
      assert.equal(stream?.width, 640);
      assert.ok(Number(stream?.nb_read_frames) >= 9, `decoded ${stream?.nb_read_frames} frames`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Frigate's ffmpeg input preset for RTSP (`preset-rtsp-generic`), exactly: it gives up after 5 s without a byte. */
const FRIGATE_INPUT_ARGS = ['-avoid_negative_ts', 'make_zero', '-fflags', '+genpts+discardcorrupt', '-rtsp_transport', 'tcp', '-timeout', '5000000', '-use_wallclock_as_timestamps', '1'];

async function frigate(url: string): Promise<{ result: RunResult; frames: number }> {
  const result = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', ...FRIGATE_INPUT_ARGS,
    '-i', url, '-map', '0:v', '-t', '4', '-f', 'null', '-',
  ], 90_000);
  const counts = [...result.stdout.matchAll(/^frame=(\d+)/gm)].map((m) => Number(m[1]));
  return { result, frames: counts.at(-1) ?? 0 };
}

for (const wakeMs of [3_000, 10_000]) {
  describe(`Frigate's ffmpeg arguments, camera answering after ${wakeMs / 1000} s`, () => {
    const rig = rigForTests({
      cameras: [{ deviceId: 'CAM-SLOW', codecs: ['hevc'] }],
      station: { quirks: { slowMethods: ['DESCRIBE'], slowMs: wakeMs } },
    });
    const transcoding = new Transcoding({ ffmpeg: undefined, logger: silentLogger, onChange: () => undefined });

    it('opens native and /sub at the same moment and both decode on the first try', { timeout: 120_000 }, async () => {
      // Nothing remembered of the camera: its first DESCRIBE waits for the base station.
      const derive = transcoding.forCamera({ codec: 'hevc', sub: { width: 640, fps: 5 }, knownSdp: {}, onDescribed: () => undefined });
      const { url } = await rig.endpoint('CAM-SLOW', { derive });
      const [native, sub] = await Promise.all([frigate(url), frigate(`${url}/sub`)]);
      for (const [name, { result, frames }] of [['native', native], ['sub', sub]] as const) {
        assert.equal(result.code, 0, `${name}: ${result.stderr}`);
        assert.ok(frames > 0, `${name} decoded no frame`);
      }
      assert.equal(rig.station.stats.sessionsOpened, 1);
    });
  });
}
