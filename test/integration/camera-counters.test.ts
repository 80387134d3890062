// Two per-camera counters of the state model (CameraView, /metrics) with real viewers on loopback:
// `authFailures` counts LAN viewer logins refused for a wrong password (ffmpeg with a wrong password
// adds one, the right one adds none) and `reconnects` counts sessions opened again after the base
// station dropped one while a viewer watched (the first session counts none).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TestRtspClient } from './sim-client.js';
import { ffmpegDecode, rigsClosedAfterTests } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const clients: TestRtspClient[] = [];

after(async () => {
  for (const client of clients) client.close();
});

const newRig = rigsClosedAfterTests();

describe('per-camera counters', () => {
  it('authFailures: a wrong password from ffmpeg counts once; the right password counts nothing', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { port } = await rig.endpoint('CAM', { listenAddress: '0.0.0.0', credentials: { username: 'viewer', password: 'the right password' } });
    assert.equal(rig.manager.runtime('CAM')?.authFailures, 0);

    const wrong = await ffmpegDecode(`rtsp://viewer:not-the-password@127.0.0.1:${port}/CAM`, { frames: 1, timeoutMs: 30_000 });
    assert.match(wrong.errors, /401|Unauthorized/i);
    assert.equal(rig.manager.runtime('CAM')?.authFailures, 1);

    const right = await ffmpegDecode(`rtsp://viewer:the%20right%20password@127.0.0.1:${port}/CAM`, { frames: 5, timeoutMs: 30_000 });
    assert.equal(right.errors, '');
    assert.equal(rig.manager.runtime('CAM')?.authFailures, 1, 'a challenge answered with the right password is no failure');
  });

  it('reconnects: a base-station drop the hub recovers from counts once; the first session counts none', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM');
    const client = await TestRtspClient.connectPlain(Number(new URL(url).port));
    clients.push(client);
    await client.play(url);
    await client.waitForFrames(20);
    assert.equal(rig.manager.runtime('CAM')?.reconnects, 0);

    rig.station.disconnectAll();
    await waitFor(() => rig.manager.runtime('CAM')?.upstreamSessions === 2 && rig.manager.runtime('CAM')?.state === 'media', 20_000, 'the hub to open the session again');
    const framesAfter = client.frames.length;
    await waitFor(() => client.frames.length > framesAfter + 20, 20_000, 'video to resume for the viewer');
    assert.equal(rig.manager.runtime('CAM')?.reconnects, 1);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });
});
