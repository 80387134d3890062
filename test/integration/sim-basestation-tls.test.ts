// The simulated base station over mutual TLS, driven by a strict client: the Nonce rule, session
// limits and timeouts, and certificate checks that fail the TLS handshake.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { isKeyframeStart } from '../../src/main/rtsp/keyframe.js';
import { parseRtpHeader } from '../../src/main/rtsp/rtp.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity, type ClientIdentity } from '../../src/sim/identity.js';
import { TestRtspClient } from './sim-client.js';

const SESSION_TIMEOUT_S = 2;

describe('simulated base station over mutual TLS', () => {
  let ca: SimCertificateAuthority;
  let station: SimBaseStation;
  let identity: ClientIdentity;
  const clients: TestRtspClient[] = [];

  const connect = async () => {
    const client = await TestRtspClient.connectTls(station.port, identity);
    clients.push(client);
    return client;
  };

  before(async () => {
    ca = await SimCertificateAuthority.create();
    identity = issueIdentity(ca);
    station = new SimBaseStation({
      ca,
      sessionTimeoutSeconds: SESSION_TIMEOUT_S,
      cameras: [
        { deviceId: 'CAM-AVC', codecs: ['avc'] },
        { deviceId: 'CAM-BOTH', codecs: ['avc', 'hevc'] },
        ...['C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((deviceId) => ({ deviceId, codecs: ['avc' as const] })),
      ],
    });
    await station.start();
  });

  after(async () => {
    for (const client of clients) client.close();
    await station.stop();
  });

  it('answers a wrong Nonce with 400 and counts it, then accepts the rule again', async () => {
    const client = await connect();
    const url = station.urlFor('CAM-AVC');
    assert.equal((await client.request('OPTIONS', url)).status, 200);
    const before = station.stats.nonceViolations;
    const wrong = await client.request('DESCRIBE', url, { Accept: 'application/sdp' }, 12345n);
    assert.equal(wrong.status, 400);
    assert.equal(station.stats.nonceViolations, before + 1);
    assert.equal((await client.request('DESCRIBE', url, { Accept: 'application/sdp' })).status, 200);
    client.close();
  });

  it('answers a missing Nonce after the first request with 400 and counts it', async () => {
    const client = await connect();
    const url = station.urlFor('CAM-AVC');
    // The first request may omit it (the Scrypted proxy does).
    assert.equal((await client.request('OPTIONS', url, {}, 'omit')).status, 200);
    const before = station.stats.nonceViolations;
    assert.equal((await client.request('DESCRIBE', url, { Accept: 'application/sdp' }, 'omit')).status, 400);
    assert.equal(station.stats.nonceViolations, before + 1);
    const last = station.stats.requests.at(-1)!;
    assert.deepEqual({ method: last.method, nonce: last.nonce, status: last.status }, { method: 'DESCRIBE', nonce: undefined, status: 400 });
    client.close();
  });

  it('streams RTP after a correct sequence, every response carrying a larger Nonce, and tears down', async () => {
    const client = await connect();
    const url = station.urlFor('CAM-BOTH', 'hevc');
    const { session, responses } = await client.play(url);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
    const nonces = responses.map((r) => BigInt(r.headers.get('Nonce')!));
    for (let i = 1; i < nonces.length; i++) assert.ok(nonces[i]! > nonces[i - 1]!, 'response nonces increase');
    assert.match(responses[2]!.headers.get('Session')!, new RegExp(`^${session};timeout=${SESSION_TIMEOUT_S}$`));
    assert.match(responses[4]!.headers.get('RTP-Info')!, /trackID=0;seq=\d+;rtptime=\d+/);

    await client.waitForFrames(30);
    const video = client.frames.filter((f) => f.channel === 0).map((f) => f.payload);
    const audio = client.frames.filter((f) => f.channel === 2);
    assert.ok(audio.length > 0, 'audio frames on channel 2');
    const first = parseRtpHeader(video[0]!)!;
    assert.equal(first.payloadType, 96);
    assert.ok(isKeyframeStart('h265', video[0]!.subarray(first.payloadOffset)), 'the stream starts with a keyframe');
    // Sequence numbers run on without a gap.
    const sequences = video.map((p) => parseRtpHeader(p)!.sequence);
    sequences.forEach((s, i) => i > 0 && assert.equal(s, (sequences[i - 1]! + 1) & 0xffff));

    const teardownsValid = station.stats.teardownsWithValidNonce;
    assert.equal((await client.request('TEARDOWN', `${url}/`, { Session: session })).status, 200);
    assert.equal(station.stats.teardownsWithValidNonce, teardownsValid + 1);
    client.close();
  });

  it('keeps a session alive with keep-alives past the timeout, and times it out without', async () => {
    const kept = await connect();
    const idle = await connect();
    const keptUrl = station.urlFor('C1');
    const { session } = await kept.play(keptUrl);
    await idle.play(station.urlFor('C2'));
    const timeoutsBefore = station.stats.sessionTimeouts;

    const until = Date.now() + (SESSION_TIMEOUT_S + 1) * 1000;
    for (let i = 0; Date.now() < until; i++) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const method = i % 2 === 0 ? 'GET_PARAMETER' : 'OPTIONS';
      assert.equal((await kept.request(method, `${keptUrl}/`, { Session: session })).status, 200);
    }
    await idle.closed;
    assert.equal(kept.socket.destroyed, false, 'the kept session is still open');
    assert.equal(station.stats.sessionTimeouts, timeoutsBefore + 1);
    const framesBefore = kept.frames.length;
    await kept.waitForFrames(framesBefore + 5);
    kept.close();
  });

  it('refuses a second session on one camera and a sixth on the base station with 453', async () => {
    const first = await connect();
    await first.play(station.urlFor('C3'));
    const second = await connect();
    const url = station.urlFor('C3');
    await second.request('OPTIONS', url);
    await second.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const refused = await second.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    assert.equal(refused.status, 453);
    assert.match(refused.reason, /camera already streaming/);

    // C3 plus four more make five; a sixth camera is refused.
    const ids = ['C4', 'C5', 'C6', 'CAM-AVC', 'CAM-BOTH'];
    const others = await Promise.all(ids.map(() => connect()));
    const statuses = [];
    for (const [i, id] of ids.entries()) {
      const setup = await others[i]!.request('SETUP', `${station.urlFor(id)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }, 0n);
      statuses.push({ status: setup.status, reason: setup.reason });
    }
    assert.deepEqual(statuses.map((s) => s.status), [200, 200, 200, 200, 453]);
    assert.equal(station.stats.activeSessions, 5);
    assert.match(statuses[4]!.reason, /limit of 5 streams/);
    for (const client of [first, second, ...others]) client.close();
  });

  it('refuses transports other than interleaved TCP with 461 and unknown cameras with 404', async () => {
    const client = await connect();
    const url = station.urlFor('CAM-AVC');
    assert.equal((await client.request('DESCRIBE', station.urlFor('CAM-AVC').replace('CAM-AVC', 'NOPE'), {}, 0n)).status, 404);
    assert.equal((await client.request('DESCRIBE', url.replace('/avc', '/hevc'))).status, 404);
    const udp = await client.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=5000-5001' });
    assert.equal(udp.status, 461);
    client.close();
  });

  it('answers with an injected fault status once, after the Nonce check', async () => {
    const client = await connect();
    const url = station.urlFor('CAM-AVC');
    station.respondNextWith(503, { method: 'DESCRIBE', reason: 'Service Unavailable (injected)' });
    assert.equal((await client.request('OPTIONS', url)).status, 200);
    const failed = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
    assert.deepEqual([failed.status, failed.reason], [503, 'Service Unavailable (injected)']);
    assert.equal((await client.request('DESCRIBE', url, { Accept: 'application/sdp' })).status, 200);
    client.close();
  });

  it('disconnectAll drops a playing client mid-stream and frees its camera', async () => {
    const client = await connect();
    await client.play(station.urlFor('CAM-AVC'));
    await client.waitForFrames(5);
    station.disconnectAll();
    await client.closed;
    const again = await connect();
    const { responses } = await again.play(station.urlFor('CAM-AVC'));
    assert.equal(responses.at(-1)!.status, 200, 'the camera can stream again');
    again.close();
  });

  it('fails the TLS handshake of a certificate from another CA and of a revoked one', async () => {
    const stranger = issueIdentity(await SimCertificateAuthority.create({ commonName: 'Some Other CA' }));
    const revoked = issueIdentity(ca, 'revoked-installation');
    ca.revoke(revoked.serial);
    const handshake = (who: ClientIdentity) => new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: station.port, key: who.keyPem, cert: who.certPem, rejectUnauthorized: false });
      socket.once('secureConnect', () => { socket.destroy(); resolve('connected'); });
      socket.once('error', (error) => resolve(error.message));
    });
    const rejectedBefore = station.stats.tlsRejected;
    assert.match(await handshake(stranger), /before secure TLS connection was established/);
    assert.equal(station.stats.lastTlsError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(await handshake(revoked), /before secure TLS connection was established/);
    assert.equal(station.stats.lastTlsError, 'CERT_REVOKED');
    assert.equal(station.stats.tlsRejected, rejectedBefore + 2);
    // The good certificate still works after the secure context was replaced.
    assert.equal(await handshake(identity), 'connected');
  });
});
