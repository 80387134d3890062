// Stock ffprobe and ffmpeg against the simulated base station in plain mode: the SDP, the RTP
// packetization (H.264, H.265, AAC) and the real-time looping must satisfy a real RTSP client.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';

const run = promisify(execFile);

describe('simulated base station (plain) with stock ffmpeg', () => {
  let station: SimBaseStation;

  before(async () => {
    station = new SimBaseStation({
      ca: await SimCertificateAuthority.create(),
      plain: true,
      cameras: [
        { deviceId: 'CAM-BOTH', codecs: ['avc', 'hevc'] },
        { deviceId: 'OWN', codecs: ['avc'], ownBaseStation: true },
      ],
    });
    await station.start();
  });

  after(() => station.stop());

  const probe = async (url: string) => {
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height,sample_rate,channels',
      '-of', 'json', url,
    ], { timeout: 20_000 });
    return (JSON.parse(stdout) as { streams: Record<string, unknown>[] }).streams;
  };

  it('ffprobe sees H.264 at the clip size plus AAC', async () => {
    const streams = await probe(station.urlFor('CAM-BOTH', 'avc'));
    assert.deepEqual(streams[0], { codec_name: 'h264', width: 640, height: 360 });
    assert.deepEqual(streams[1], { codec_name: 'aac', sample_rate: '16000', channels: 1 });
  });

  it('ffprobe sees H.265 at the clip size plus AAC', async () => {
    const streams = await probe(station.urlFor('CAM-BOTH', 'hevc'));
    assert.deepEqual(streams[0], { codec_name: 'hevc', width: 1280, height: 720 });
    assert.deepEqual(streams[1], { codec_name: 'aac', sample_rate: '16000', channels: 1 });
  });

  it('ffmpeg decodes past the clip loop (70 frames > 60 in the clip) without an error, in real time', async () => {
    const teardowns = station.stats.teardowns;
    const started = Date.now();
    const { stdout, stderr } = await run('ffmpeg', [
      '-v', 'error', '-rtsp_transport', 'tcp', '-i', station.urlFor('OWN'),
      '-map', '0:v', '-frames:v', '70', '-f', 'null', '-', '-progress', 'pipe:1', '-nostats',
    ], { timeout: 30_000 });
    assert.equal(stderr, '');
    const frames = Math.max(...[...stdout.matchAll(/^frame=(\d+)$/gm)].map((m) => Number(m[1])));
    assert.ok(frames >= 50, `decoded ${frames} frames`);
    // 70 frames at 15 fps take about 4.6 s when paced in real time.
    assert.ok(Date.now() - started > 4000, `took ${Date.now() - started} ms`);
    assert.equal(station.stats.teardowns, teardowns + 1, 'ffmpeg tore its session down');
  });
});
