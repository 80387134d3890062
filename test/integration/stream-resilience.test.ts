// The stream engine under the conditions of a long-running service: sessions longer than the base
// station's timeout, late joiners, viewers that stop reading, a base station that drops the
// stream. Raw RTSP viewers (our test client) so packets can be inspected; one camera too many is
// in hostile-upstream.test.ts.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isKeyframeStart } from '../../src/main/rtsp/keyframe.js';
import { parseRtpHeader } from '../../src/main/rtsp/rtp.js';
import type { InterleavedFrame } from '../../src/main/rtsp/message.js';
import type { EndpointOptions } from '../../src/main/stream/manager.js';
import { TestRtspClient } from './sim-client.js';
import { rigsClosedAfterTests, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const clients: TestRtspClient[] = [];

async function viewer(url: string): Promise<{ client: TestRtspClient; responses: Awaited<ReturnType<TestRtspClient['play']>>['responses'] }> {
  const client = await TestRtspClient.connectPlain(Number(new URL(url).port));
  clients.push(client);
  const { responses } = await client.play(url);
  return { client, responses };
}

function videoFrames(frames: InterleavedFrame[]): InterleavedFrame[] {
  return frames.filter((f) => f.channel === 0);
}

/** Distinct video timestamps (pictures) among frames[from..]. */
function pictures(frames: InterleavedFrame[], from: number): number {
  return new Set(videoFrames(frames.slice(from)).map((f) => parseRtpHeader(f.payload)?.timestamp)).size;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const newRig = rigsClosedAfterTests();

/**
 * A camera sending 24 Mb/s with these viewer limits, so that a viewer that stops reading soon fills
 * its queue, and one such viewer: it has played and then stopped reading.
 */
async function stuckViewerOfFastCamera(limits: EndpointOptions['limits']): Promise<{ rig: Rig; url: string; stuck: TestRtspClient }> {
  const rig = await newRig({
    cameras: [{ deviceId: 'CAM', codecs: ['avc'] }],
    station: { source: { synthetic: { bitrate: 24_000_000, fps: 15, keyframeIntervalFrames: 15 } } },
  });
  const { url } = await rig.endpoint('CAM', { limits });
  const { client: stuck } = await viewer(url);
  stuck.socket.pause();
  return { rig, url, stuck };
}

describe('stream engine resilience', () => {
  it('keeps a session longer than the base station timeout alive with valid Nonces', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { sessionTimeoutSeconds: 2 } });
    const { url } = await rig.endpoint('CAM');
    const { client } = await viewer(url);
    // Keep-alives every third of the 2 s timeout: seven of them span 2.5 session timeouts.
    const keepAlives = (): number => rig.station.stats.requests.filter((r) => r.method === 'GET_PARAMETER' && r.status === 200).length;
    await waitFor(() => keepAlives() >= 7, 20_000, 'seven keep-alives accepted');
    const before = client.frames.length;
    await waitFor(() => pictures(client.frames, before) >= 10, 5_000, 'video still flowing after 2.5 session timeouts');
    assert.equal(rig.station.stats.sessionTimeouts, 0);
    assert.equal(rig.station.stats.nonceViolations, 0);
    assert.ok(rig.station.stats.requests.some((r) => r.method === 'GET_PARAMETER' && r.status === 200), 'keep-alives sent');
  });

  it('starts a late joiner at a keyframe, with RTP-Info naming its first packet of each track', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM');
    await viewer(url);
    for (const wait of [500, 1_100]) {
      await sleep(wait); // Mid-GOP: the clip has a keyframe every second.
      const { client, responses } = await viewer(url);
      await client.waitForFrames(20);
      const first = client.frames.find((f) => f.channel === 0)!;
      const header = parseRtpHeader(first.payload)!;
      assert.ok(isKeyframeStart('h264', first.payload.subarray(header.payloadOffset, header.payloadEnd)), 'first video packet starts a keyframe');
      const rtpInfo = responses.at(-1)!.headers.get('RTP-Info') ?? '';
      assert.match(rtpInfo, new RegExp(`trackID=0;seq=${header.sequence};rtptime=${header.timestamp}(,|$)`));
      const audio = client.frames.find((f) => f.channel === 2);
      if (audio) {
        const audioHeader = parseRtpHeader(audio.payload)!;
        assert.match(rtpInfo, new RegExp(`trackID=1;seq=${audioHeader.sequence};rtptime=${audioHeader.timestamp}(,|$)`));
      }
    }
    assert.equal(rig.station.stats.sessionsOpened, 1);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('a viewer that stops reading loses packets but does not slow another viewer', async () => {
    const { rig, url, stuck } = await stuckViewerOfFastCamera({ viewerQueueBytes: 256 * 1024, viewerStallMs: 60_000 });
    const { client } = await viewer(url);
    await waitFor(() => (rig.manager.runtime('CAM')?.packetsDropped ?? 0) > 0, 15_000, 'the stuck viewer to lose packets');
    const before = client.frames.length;
    await sleep(2_000);
    const rate = pictures(client.frames, before) / 2;
    assert.ok(rate >= 13, `the reading viewer got ${rate} pictures/s of 15`);
    assert.equal(rig.manager.runtime('CAM')?.viewers, 2, 'the stuck viewer is kept within its stall limit');

    // Reading again, it resumes at a keyframe.
    const stuckBefore = stuck.frames.length;
    stuck.socket.resume();
    await waitFor(() => {
      const fresh = videoFrames(stuck.frames.slice(stuckBefore));
      return fresh.length > 0 && rig.manager.runtime('CAM')!.bytesOut > 0;
    }, 10_000, 'the stuck viewer to get packets again');
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('disconnects a viewer stalled beyond its limit', async () => {
    const { rig, url } = await stuckViewerOfFastCamera({ viewerQueueBytes: 64 * 1024, viewerStallMs: 1_000 });
    await waitFor(() => rig.manager.runtime('CAM')?.viewers === 0, 15_000, 'the stalled viewer to be disconnected');
    const next = await viewer(url);
    await next.client.waitForFrames(10);
  });

  it('shows a dropped upstream, keeps viewers served, and gives the next viewer video', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM');
    const { client } = await viewer(url);
    await client.waitForFrames(20);
    const states: string[] = [];
    rig.manager.on('change', () => {
      const runtime = rig.manager.runtime('CAM');
      states.push(`${runtime?.state}:${runtime?.error ?? ''}`);
    });
    const before = client.frames.length;
    rig.station.disconnectAll();
    // Not left hanging: video resumes on the same connection (or the connection is closed).
    let closed = false;
    void client.closed.then(() => (closed = true));
    await waitFor(() => closed || pictures(client.frames, before) > 15, 10_000, 'video to resume or the viewer to be let go');
    await waitFor(() => states.some((s) => /closed the stream/.test(s)), 2_000, 'the state to show the drop');
    assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 2);
    const next = await viewer(url);
    await next.client.waitForFrames(20);
    assert.equal(rig.manager.runtime('CAM')?.state, 'media');
    assert.equal(rig.station.stats.nonceViolations, 0);
  });
});
