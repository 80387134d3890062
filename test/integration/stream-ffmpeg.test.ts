// The stream engine with stock ffmpeg/ffprobe as viewers against the strict simulated base station
// (mutual TLS, Nonce rule): codecs as described, decoding over TCP and after a UDP attempt, and
// three viewers sharing one base-station session that is torn down after the linger.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ffmpegDecode, ffprobe, rigForTests } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

describe('stream engine with ffmpeg viewers', () => {
  const rig = rigForTests({
    cameras: [
      { deviceId: 'CAM-AVC', codecs: ['avc'] },
      { deviceId: 'CAM-HEVC', codecs: ['hevc', 'avc'] },
    ],
  });

  it('ffprobe sees H.264 and AAC on an avc camera, H.265 and AAC on an hevc camera', async () => {
    const avc = await rig.endpoint('CAM-AVC');
    const hevc = await rig.endpoint('CAM-HEVC');
    const [avcStreams, hevcStreams] = await Promise.all([ffprobe(avc.url), ffprobe(hevc.url)]);
    assert.deepEqual(avcStreams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'video:h264']);
    assert.deepEqual(hevcStreams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'video:hevc']);
    assert.ok((avcStreams.find((s) => s.codec_type === 'video')?.width ?? 0) > 0);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('ffmpeg decodes frames without error over TCP and when it asks for UDP first', async () => {
    const { url } = await rig.endpoint('CAM-AVC');
    const tcp = await ffmpegDecode(url, { frames: 30, transport: 'tcp' });
    assert.equal(tcp.errors, '');
    assert.equal(tcp.code, 0);
    assert.ok(tcp.frames >= 30, `decoded ${tcp.frames} frames`);
    const fallback = await ffmpegDecode(url, { frames: 30, transport: 'default' });
    // ffmpeg logs the refused UDP SETUP itself, then retries over TCP; nothing else may appear.
    const lines = fallback.errors.split('\n');
    assert.match(lines[0] ?? '', /method SETUP failed: 461 Unsupported Transport/);
    assert.deepEqual(lines.slice(1), []);
    assert.equal(fallback.code, 0);
    assert.ok(fallback.frames >= 30, `decoded ${fallback.frames} frames`);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('three viewers at once share one base-station session, each decodes, and TEARDOWN follows the linger', async () => {
    const { url } = await rig.endpoint('CAM-AVC', { lingerMs: 800 });
    await waitFor(() => rig.station.stats.activeSessions === 0, 5_000, 'earlier sessions to end');
    const opened = rig.station.stats.sessionsOpened;
    const teardowns = rig.station.stats.teardownsWithValidNonce;
    const results = await Promise.all([0, 1, 2].map(() => ffmpegDecode(url, { frames: 45 })));
    for (const result of results) {
      assert.equal(result.errors, '');
      assert.ok(result.frames >= 45, `decoded ${result.frames} frames`);
    }
    assert.equal(rig.station.stats.sessionsOpened, opened + 1, 'one base-station session for three viewers');
    // Still lingering right after the viewers left; torn down (with a valid Nonce) after it.
    assert.equal(rig.station.stats.activeSessions, 1);
    await waitFor(() => rig.station.stats.teardownsWithValidNonce === teardowns + 1, 5_000, 'TEARDOWN');
    assert.equal(rig.station.stats.activeSessions, 0);
    assert.equal(rig.manager.runtime('CAM-AVC')?.state, 'idle');
    assert.equal(rig.station.stats.nonceViolations, 0);
  });
});
