// The engine against differently shaped base stations: each quirk of the simulator (src/sim/quirks.ts)
// is something a real device or another stand-in may do within RFC 2326 and PROTOCOL.md. Under each
// one, stock ffprobe sees the right tracks and ffmpeg decodes through the engine without error, and the
// base station counts zero Nonce violations (checked by the rig's close).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SimBaseStationOptions } from '../../src/sim/basestation.js';
import type { VideoCodec } from '../../src/shared/api.js';
import { isKeyframeStart } from '../../src/main/rtsp/keyframe.js';
import { parseRtpHeader } from '../../src/main/rtsp/rtp.js';
import { TestRtspClient } from '../integration/sim-client.js';
import { ffmpegDecode, ffprobe, startRig, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

interface Case {
  name: string;
  station: Partial<SimBaseStationOptions>;
  codec?: VideoCodec;
  /** Track kinds ffprobe must see, sorted. */
  tracks?: string[];
  frames?: number;
  /** Checks on the base station's side after the viewer is done. */
  check?: (rig: Rig) => void;
}

const cases: Case[] = [
  { name: 'header names in lower case (cseq:, nonce:, session:, content-base:)', station: { quirks: { lowerCaseHeaders: true } } },
  {
    name: 'absolute a=control URLs and an absolute aggregate control under a Content-Base ending in /',
    station: { quirks: { absoluteControl: true, sessionControl: 'absolute' } },
  },
  { name: 'no session-level a=control and no Content-Base', station: { quirks: { sessionControl: 'none', noContentBase: true } } },
  { name: 'the audio track described first', station: { quirks: { audioFirst: true } } },
  { name: 'video only', station: { quirks: { videoOnly: true } }, tracks: ['video:h264'] },
  { name: 'H.264 parameter sets in-band only (no sprop-parameter-sets)', station: { quirks: { inBandParameterSetsOnly: true } } },
  { name: 'H.265 parameter sets in-band only (no sprop-vps/sps/pps, no fmtp)', codec: 'hevc', tracks: ['audio:aac', 'video:hevc'], station: { quirks: { inBandParameterSetsOnly: true } } },
  { name: 'SETUP answered with other interleaved channels than asked', station: { quirks: { channelShift: 4 } } },
  {
    name: 'a Session timeout of 2 s, outlived by keep-alives',
    station: { sessionTimeoutSeconds: 2 },
    frames: 75,
    check: (rig) => {
      assert.equal(rig.station.stats.sessionTimeouts, 0);
      assert.ok(rig.station.stats.requests.some((r) => r.method === 'GET_PARAMETER' && r.status === 200), 'keep-alives were sent and accepted');
    },
  },
  { name: 'RTCP sender reports on the odd channels', station: { quirks: { senderReportMs: 250 } } },
  { name: '$ frames arriving before the PLAY response', station: { quirks: { framesBeforePlayResponse: true } } },
  { name: 'responses and frames split across TLS records at awkward places', station: { quirks: { splitRecords: true } } },
  {
    name: 'all of them at once, H.265',
    codec: 'hevc',
    tracks: ['audio:aac', 'video:hevc'],
    station: {
      sessionTimeoutSeconds: 3,
      quirks: {
        lowerCaseHeaders: true,
        absoluteControl: true,
        sessionControl: 'none',
        audioFirst: true,
        channelShift: 2,
        senderReportMs: 250,
        framesBeforePlayResponse: true,
        splitRecords: true,
      },
    },
  },
];

describe('engine upstream against differently shaped base stations', { concurrency: 2 }, () => {
  const rigs: Rig[] = [];
  after(async () => {
    await Promise.all(rigs.map((rig) => rig.close()));
  });

  for (const c of cases) {
    it(c.name, async () => {
      const codec = c.codec ?? 'avc';
      const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: [codec] }], station: c.station });
      rigs.push(rig);
      const { url } = await rig.endpoint('CAM');
      const streams = await ffprobe(url);
      const expected = c.tracks ?? ['audio:aac', `video:${codec === 'avc' ? 'h264' : 'hevc'}`];
      assert.deepEqual(streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), expected);
      const frames = c.frames ?? 30;
      const decoded = await ffmpegDecode(url, { frames });
      assert.equal(decoded.errors, '');
      assert.equal(decoded.code, 0);
      assert.ok(decoded.frames >= frames, `decoded ${decoded.frames} frames`);
      assert.equal(rig.station.stats.nonceViolations, 0);
      assert.ok(rig.station.stats.requests.every((r) => r.status === 200), JSON.stringify(rig.station.stats.requests.filter((r) => r.status !== 200)));
      c.check?.(rig);
    });
  }

  // The first keyframe comes with the frames that race the PLAY answer; were they lost, the first
  // viewer would wait for the next keyframe, a whole interval (3 s here) later.
  it('$ frames before the PLAY response: the first viewer starts with the keyframe the base station sent first', async () => {
    const keyframeIntervalMs = 3_000;
    const rig = await startRig({
      cameras: [{ deviceId: 'CAM', codecs: ['avc'] }],
      station: {
        quirks: { framesBeforePlayResponse: true },
        source: { synthetic: { bitrate: 2_000_000, fps: 15, keyframeIntervalFrames: (15 * keyframeIntervalMs) / 1000 } },
      },
    });
    rigs.push(rig);
    const { url } = await rig.endpoint('CAM');
    const client = await TestRtspClient.connectPlain(Number(new URL(url).port));
    try {
      const started = performance.now();
      await client.play(url);
      await waitFor(() => client.frames.some((f) => f.channel === 0), keyframeIntervalMs * 2, 'a video packet');
      const firstVideoMs = performance.now() - started;
      const first = client.frames.find((f) => f.channel === 0)!;
      const header = parseRtpHeader(first.payload)!;
      assert.ok(isKeyframeStart('h264', first.payload.subarray(header.payloadOffset, header.payloadEnd)), 'first video packet starts a keyframe');
      assert.ok(firstVideoMs < keyframeIntervalMs / 2, `first video ${Math.round(firstVideoMs)} ms after connecting (keyframes every ${keyframeIntervalMs} ms)`);
      assert.equal(rig.station.stats.sessionsOpened, 1);
    } finally {
      client.close();
    }
  });
});
