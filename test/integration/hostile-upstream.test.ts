// Upstream faults as a user meets them: a TLS reset mid-stream, the base station answering 400 to
// a Nonce, refusing a sixth session, revoking our certificate. Each must end in the right
// user-visible state (`StreamManager.runtime()` state and error text) and recover once the fault
// clears, where recovery is possible; a revoked certificate asks for re-enrollment instead.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { issueIdentity } from '../../src/sim/identity.js';
import { TestRtspClient } from './sim-client.js';
import { rigsClosedAfterTests, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const clients: TestRtspClient[] = [];

async function watch(url: string): Promise<TestRtspClient> {
  const client = await TestRtspClient.connectPlain(Number(new URL(url).port));
  clients.push(client);
  await client.play(url);
  await client.waitForFrames(20);
  return client;
}

/** Every distinct `state:error` the manager publishes, in order. */
function recordStates(rig: Rig, deviceId: string): string[] {
  const states: string[] = [];
  rig.manager.on('change', () => {
    const runtime = rig.manager.runtime(deviceId);
    const entry = `${runtime?.state}:${runtime?.error ?? ''}`;
    if (states.at(-1) !== entry) states.push(entry);
  });
  return states;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const newRig = rigsClosedAfterTests();

describe('upstream faults', () => {
  it('a TLS reset mid-stream shows "reconnecting" while it waits to retry, then media again on the same viewer connection', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM');
    const client = await watch(url);
    const states = recordStates(rig, 'CAM');
    rig.station.disconnectAll();
    await waitFor(() => states.some((s) => /^waiting:.*base station.*reconnecting$/.test(s)), 3_000, 'the reconnecting state');
    await waitFor(() => rig.manager.runtime('CAM')?.state === 'media', 5_000, 'media again');
    assert.equal(rig.manager.runtime('CAM')?.error, undefined, 'the error clears once media flows');
    const before = client.frames.length;
    await client.waitForFrames(before + 20);
    assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 2);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('a 400 to a Nonce is retried: the state shows the Nonce error meanwhile, and the waiting viewer plays', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url, port } = await rig.endpoint('CAM');
    const states = recordStates(rig, 'CAM');
    rig.station.respondNextWith(400, { method: 'DESCRIBE', reason: 'Bad Request' });
    const viewer = await TestRtspClient.connectPlain(port);
    clients.push(viewer);
    const describe = await viewer.request('DESCRIBE', url, { Accept: 'application/sdp' });
    assert.equal(describe.status, 200);
    assert.ok(states.some((s) => /^waiting:.*400 Bad Request.*Nonce sequence is wrong/.test(s)), states.join(' | '));
    assert.equal(rig.manager.runtime('CAM')?.state, 'media');
    assert.equal(rig.manager.runtime('CAM')?.error, undefined);
  });

  it('a 400 to a keep-alive mid-stream is counted, and the session and the viewer go on', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { sessionTimeoutSeconds: 2 } });
    const { url } = await rig.endpoint('CAM');
    const client = await watch(url);
    rig.station.respondNextWith(400, { method: 'GET_PARAMETER' });
    await waitFor(() => rig.manager.runtime('CAM')?.keepAliveFailures === 1, 5_000, 'the failed keep-alive counted');
    const before = client.frames.length;
    await client.waitForFrames(before + 20);
    assert.equal(rig.manager.runtime('CAM')?.state, 'media');
    assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 1);
  });

  it('a sixth session waits, saying why and when it retries, and plays by itself once another camera stops streaming', async () => {
    const ids = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
    const rig = await newRig({ cameras: ids.map((deviceId) => ({ deviceId, codecs: ['avc' as const] })) });
    const urls: string[] = [];
    for (const id of ids) urls.push((await rig.endpoint(id, { lingerMs: 100, limits: { retryDelaysMs: [300] } })).url);
    const watching = [];
    for (const url of urls.slice(0, 5)) watching.push(await watch(url));
    const sixth = await TestRtspClient.connectPlain(Number(new URL(urls[5]!).port));
    clients.push(sixth);
    // The viewer's DESCRIBE waits through the backoff instead of failing.
    const describe = sixth.request('DESCRIBE', urls[5]!, { Accept: 'application/sdp' });
    await waitFor(() => rig.manager.runtime('C6')?.state === 'waiting', 10_000, 'the sixth camera to wait');
    const runtime = rig.manager.runtime('C6')!;
    assert.equal(runtime.waitReason, 'busy');
    assert.match(runtime.error ?? '', /another app is streaming this camera.*five cameras of this base station.*453/);
    assert.ok(Date.parse(runtime.retryAt!) > Date.now() - 1_000, `retry at ${runtime.retryAt}`);
    assert.equal(rig.station.stats.activeSessions, 5);

    watching[0]!.close(); // C1's stream lingers 100 ms, then its TEARDOWN frees a slot.
    assert.equal((await describe).status, 200);
    assert.equal(rig.manager.runtime('C6')?.state, 'media');
    assert.equal(rig.manager.runtime('C6')?.error, undefined);
  });

  it('a revoked certificate fires certificateRejected, asks for re-enrollment, and a new certificate streams', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM');
    const client = await watch(url);
    const rejected: string[] = [];
    rig.manager.on('certificateRejected', (baseStationId, message) => rejected.push(`${baseStationId}: ${message}`));
    rig.ca.revoke(rig.identity.serial);
    rig.station.disconnectAll(); // Connections already up keep going: the reset forces a new handshake.
    await waitFor(() => rejected.length > 0, 5_000, 'certificateRejected');
    assert.match(rejected[0]!, /^BASE1: .*refused our certificate.*enroll this base station again/);
    await waitFor(() => rig.manager.runtime('CAM')?.state === 'error', 3_000, 'the error state');
    assert.match(rig.manager.runtime('CAM')?.error ?? '', /enroll this base station again/);
    await client.closed; // No point retrying: the viewer is let go rather than left hanging.
    assert.ok(rig.station.stats.tlsRejected >= 1);
    assert.match(rig.station.stats.lastTlsError ?? '', /REVOKED/i);

    // Re-enrolled: a new certificate from the same CA.
    const renewed = issueIdentity(rig.ca, 'reenrolled');
    const { url: again } = await rig.endpoint('CAM', {
      upstream: { baseStationId: 'BASE1', host: '127.0.0.1', port: rig.station.port, certificatePem: renewed.certPem, privateKeyPem: renewed.keyPem },
    });
    await watch(again);
    assert.equal(rig.manager.runtime('CAM')?.state, 'media');
    assert.equal(rig.manager.runtime('CAM')?.error, undefined);
  });
});
