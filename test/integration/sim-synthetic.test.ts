// The synthetic source benchmarks use: bitrate, keyframe interval, the send-time stamp at
// STAMP_OFFSET, and dropping (not buffering) when a client stops reading.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isKeyframeStart } from '../../src/main/rtsp/keyframe.js';
import { parseRtpHeader } from '../../src/main/rtsp/rtp.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { STAMP_OFFSET } from '../../src/sim/source.js';
import { TestRtspClient } from './sim-client.js';

describe('simulated base station with a synthetic source', () => {
  let station: SimBaseStation;
  const clients: TestRtspClient[] = [];

  before(async () => {
    station = new SimBaseStation({
      ca: await SimCertificateAuthority.create(),
      plain: true,
      cameras: [{ deviceId: 'BENCH', codecs: ['avc'] }],
      source: { synthetic: { bitrate: 4_000_000, fps: 25, keyframeIntervalFrames: 10, stampPayload: true } },
    });
    await station.start();
  });

  after(async () => {
    for (const client of clients) client.close();
    await station.stop();
  });

  it('sends the configured bitrate with a keyframe every N frames and a send-time stamp in each packet', async () => {
    const client = await TestRtspClient.connectPlain(station.port);
    clients.push(client);
    const { responses } = await client.play(station.urlFor('BENCH'));
    assert.equal(responses.length, 4, 'video only: OPTIONS, DESCRIBE, one SETUP, PLAY');
    const started = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const packets = client.frames.map((f) => f.payload);
    const headers = packets.map((p) => parseRtpHeader(p)!);

    const pictures = new Set(headers.map((h) => h.timestamp)).size;
    assert.ok(pictures >= 20 && pictures <= 28, `${pictures} pictures in about 1 s at 25 fps`);
    const bytes = packets.reduce((sum, p, i) => sum + p.length - headers[i]!.payloadOffset, 0);
    const bitsPerPicture = (bytes * 8) / pictures;
    assert.ok(Math.abs(bitsPerPicture - 4_000_000 / 25) < 0.1 * (4_000_000 / 25), `${bitsPerPicture} bits per picture`);

    // Keyframe starts fall exactly on pictures 0, 10, 20, ...
    const keyPictures: number[] = [];
    let picture = -1;
    headers.forEach((h, i) => {
      if (i === 0 || h.timestamp !== headers[i - 1]!.timestamp) picture++;
      if (isKeyframeStart('h264', packets[i]!.subarray(h.payloadOffset))) keyPictures.push(picture);
    });
    assert.deepEqual([...new Set(keyPictures)].slice(0, 3), [0, 10, 20]);

    const now = process.hrtime.bigint();
    for (const [i, packet] of packets.entries()) {
      if (packet.length - headers[i]!.payloadOffset < STAMP_OFFSET + 8) continue;
      const stamp = packet.readBigUInt64BE(headers[i]!.payloadOffset + STAMP_OFFSET);
      assert.ok(stamp >= started - 1_000_000_000n && stamp <= now, 'stamp is a recent hrtime of this process');
    }
    client.close();
  });

  it('drops frames for a client that stops reading instead of buffering them', async () => {
    // 40 Mbit/s fills the loopback socket buffers within a second or two.
    const fast = new SimBaseStation({
      ca: await SimCertificateAuthority.create(),
      plain: true,
      cameras: [{ deviceId: 'SLOW', codecs: ['hevc'] }],
      source: { synthetic: { bitrate: 40_000_000 } },
    });
    await fast.start();
    try {
      const client = await TestRtspClient.connectPlain(fast.port);
      clients.push(client);
      await client.play(fast.urlFor('SLOW', 'hevc'));
      client.socket.pause();
      const deadline = Date.now() + 8000;
      while (fast.stats.framesDropped === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(fast.stats.framesDropped > 0, 'frames were dropped');
      client.close();
    } finally {
      await fast.stop();
    }
  });
});
