// A viewer waiting for a stream we are still getting (the base station answers 453 busy, retried
// with backoff) is kept past the "not playing" limit: its DESCRIBE is in progress, the wait is ours.
// A connection with nothing in progress is still closed at that limit. The limit is shortened here
// (the product's is 60 s); each check waits on events, the elapsed time only asserted.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TestRtspClient } from './sim-client.js';
import { rigsClosedAfterTests, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const IDLE_BEFORE_PLAY_MS = 1_000;
const clients: TestRtspClient[] = [];

after(async () => {
  for (const client of clients) client.close();
});

const newRig = rigsClosedAfterTests();

async function rigWithViewerLimit(): Promise<{ rig: Rig; url: string; port: number }> {
  const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
  const { url, port } = await rig.endpoint('CAM', { idleBeforePlayMs: IDLE_BEFORE_PLAY_MS, limits: { retryDelaysMs: [200] } });
  return { rig, url, port };
}

describe('a viewer waiting for a busy camera', () => {
  it('is kept past the not-playing limit while its DESCRIBE waits, and plays once the camera is free', { timeout: 60_000 }, async () => {
    const { rig, url, port } = await rigWithViewerLimit();
    const free = rig.station.occupyCamera('CAM');
    const viewer = await TestRtspClient.connectPlain(port);
    clients.push(viewer);
    let closedAt: number | undefined;
    void viewer.closed.then(() => (closedAt = Date.now()));
    const started = Date.now();
    const describe = viewer.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const refusals = (): number => rig.station.stats.requests.filter((r) => r.status === 453).length;
    await waitFor(() => rig.manager.runtime('CAM')?.waitReason === 'busy', 10_000, 'the camera waiting, busy');
    // Refused again and again, for well over the limit.
    await waitFor(() => refusals() >= 3 && Date.now() - started > 3 * IDLE_BEFORE_PLAY_MS, 20_000, 'three 453 answers past three limits');
    assert.equal(closedAt, undefined, 'the waiting viewer was not closed');
    free();
    assert.equal((await describe).status, 200);
    await viewer.play(url);
    await viewer.waitForFrames(10);
    assert.equal(closedAt, undefined);
  });

  it('a connection with no request in progress is still closed at the limit', { timeout: 30_000 }, async () => {
    const { url, port } = await rigWithViewerLimit();
    const viewer = await TestRtspClient.connectPlain(port);
    clients.push(viewer);
    const started = Date.now();
    assert.equal((await viewer.request('OPTIONS', url)).status, 200);
    await viewer.closed;
    assert.ok(Date.now() - started >= IDLE_BEFORE_PLAY_MS * 0.9, `closed after ${Date.now() - started} ms`);
  });
});
