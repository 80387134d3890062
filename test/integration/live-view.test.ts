// The live view and the snapshot as in-process viewers of a camera's hub, against the strict
// simulated base station: the fMP4 the live view sends is read back by ffprobe (codec, size, both
// tracks) for H.264 and H.265; a snapshot is a JPEG of the stream's size; one base-station session
// serves an RTSP viewer and the live view together; the snapshot's 404/wake/no-ffmpeg rules.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { takeSnapshot, SnapshotError } from '../../src/main/live/snapshot.js';
import { watchLive } from '../../src/main/live/watch.js';
import type { LiveFormat } from '../../src/shared/live.js';
import { ffmpegDecode, ffprobeFile, startRig, type ProbedStream, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

let rig: Rig;
let dir: string;

before(async () => {
  rig = await startRig({ cameras: [{ deviceId: 'AVC', codecs: ['avc'] }, { deviceId: 'HEVC', codecs: ['hevc'] }] });
  await rig.endpoint('AVC');
  await rig.endpoint('HEVC');
  dir = await mkdtemp(join(tmpdir(), 'live-view-'));
});

after(async () => {
  await rig.close();
  await rm(dir, { recursive: true, force: true });
});

interface Probed {
  streams: ProbedStream[];
  frames: number;
}

async function probe(file: string): Promise<Probed> {
  const streams = await ffprobeFile(file, { countFrames: true });
  return { streams, frames: Number(streams.find((s) => s.codec_type === 'video')?.nb_read_frames ?? 0) };
}

/** Watches a camera until `frames` fragments arrived; answers the format and the bytes. */
async function watch(deviceId: string, fragments: number, on: Rig = rig): Promise<{ format: LiveFormat; bytes: Buffer }> {
  let format: LiveFormat | undefined;
  const chunks: Uint8Array[] = [];
  let moofs = 0;
  let ended: string | undefined;
  const close = await watchLive(on.manager, deviceId, {
    format: (f) => (format = f),
    data: (bytes) => {
      chunks.push(bytes.slice());
      if (Buffer.from(bytes).includes('moof')) moofs++;
    },
    end: (reason) => (ended = reason),
    queued: () => 0,
  }, { audio: true });
  await waitFor(() => moofs >= fragments || ended !== undefined, 20_000, `${fragments} fragments of ${deviceId}`);
  close();
  assert.equal(ended, undefined);
  assert.ok(format);
  return { format, bytes: Buffer.concat(chunks) };
}

describe('live view (fragmented MP4 from the hub)', () => {
  for (const [deviceId, codec, width, height, inBandOnly] of [
    ['AVC', 'h264', 640, 360, false],
    ['HEVC', 'hevc', 1280, 720, false],
    ['AVC', 'h264', 640, 360, true],
    ['HEVC', 'hevc', 1280, 720, true],
  ] as const) {
    const where = inBandOnly ? ' (parameter sets in-band only, none in the SDP)' : '';
    it(`${codec}${where}: ffprobe reads the stream's codec, size, audio and every picture`, async () => {
      let on = rig;
      if (inBandOnly) {
        on = await startRig({ cameras: [{ deviceId, codecs: [codec === 'h264' ? 'avc' : 'hevc'] }], station: { quirks: { inBandParameterSetsOnly: true } } });
        await on.endpoint(deviceId);
      }
      const { format, bytes } = await watch(deviceId, 30, on).finally(() => (on === rig ? undefined : on.close()));
      assert.equal(format.width, width);
      assert.equal(format.height, height);
      assert.equal(format.hevc, codec === 'hevc');
      assert.match(format.mime, codec === 'h264' ? /^video\/mp4; codecs="avc1\.[0-9a-f]{6},mp4a\.40\.2"$/ : /^video\/mp4; codecs="hvc1\.[^,]+,mp4a\.40\.2"$/);
      const file = join(dir, `${deviceId}${inBandOnly ? '-inband' : ''}.mp4`);
      await writeFile(file, bytes);
      const probed = await probe(file);
      const video = probed.streams.find((s) => s.codec_type === 'video');
      assert.equal(video?.codec_name, codec);
      assert.equal(video?.width, width);
      assert.equal(video?.height, height);
      assert.equal(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
      assert.ok(probed.frames >= 25, `decoded ${probed.frames} pictures`);
    });
  }

  it('shares the one base-station session with an RTSP viewer and releases its lease when closed', async () => {
    const opened = rig.station.stats.sessionsOpened;
    const url = rig.manager.runtime('AVC')!.url;
    const rtsp = ffmpegDecode(url, { frames: 60, timeoutMs: 30_000 });
    await waitFor(() => rig.manager.runtime('AVC')!.viewers === 1, 15_000, 'the RTSP viewer');
    const { bytes } = await watch('AVC', 10);
    assert.ok(bytes.length > 0);
    const decoded = await rtsp;
    assert.equal(decoded.code, 0, decoded.errors);
    assert.equal(rig.station.stats.sessionsOpened - opened <= 1, true, 'at most one new base-station session');
    await waitFor(() => rig.manager.runtime('AVC')!.viewers === 0, 5_000, 'both viewers gone');
    await waitFor(() => rig.manager.runtime('AVC')!.state === 'idle', 10_000, 'the session to end after the linger');
  });
});

describe('snapshot', () => {
  it('is a JPEG of the stream size while the camera streams', async () => {
    const url = rig.manager.runtime('AVC')!.url;
    const rtsp = ffmpegDecode(url, { frames: 45, timeoutMs: 30_000 });
    await waitFor(() => rig.manager.runtime('AVC')!.state === 'media', 15_000, 'streaming');
    const jpeg = await takeSnapshot(rig.manager, 'AVC', { wake: false, ffmpeg: undefined });
    await rtsp;
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const file = join(dir, 'snap.jpg');
    await writeFile(file, jpeg);
    const probed = await probe(file);
    assert.equal(probed.streams[0]?.width, 640);
    assert.equal(probed.streams[0]?.height, 360);
  });

  it('answers "no recent picture" for an idle camera unless asked to wake it', async () => {
    await waitFor(() => rig.manager.runtime('HEVC')!.state === 'idle', 10_000, 'HEVC idle');
    await assert.rejects(takeSnapshot(rig.manager, 'HEVC', { wake: false, ffmpeg: undefined }), (e: unknown) => e instanceof SnapshotError && e.code === 'no-recent-picture');
    const jpeg = await takeSnapshot(rig.manager, 'HEVC', { wake: true, ffmpeg: undefined });
    const file = join(dir, 'snap-hevc.jpg');
    await writeFile(file, jpeg);
    assert.equal((await probe(file)).streams[0]?.width, 1280);
    // The woken camera lingers as after any viewer, then sleeps again.
    await waitFor(() => rig.manager.runtime('HEVC')!.state === 'idle', 10_000, 'HEVC back to idle after the linger');
  });

  it('names what to install when ffmpeg is missing', async () => {
    await assert.rejects(
      takeSnapshot(rig.manager, 'AVC', { wake: true, ffmpeg: join(dir, 'no-such-ffmpeg') }),
      (e: unknown) => e instanceof SnapshotError && e.code === 'no-ffmpeg' && /apt install ffmpeg/.test(e.message),
    );
  });
});
