// The engine's RTSP client against base stations that write what FFmpeg (behind every working Arlo
// client) reads without complaint: odd response syntax, answers with another CSeq, requests from the
// base station, a session named before SETUP, media that starts late. Each camera plays to a viewer through keep-alives (a 2 s session timeout), with zero
// Nonce violations, one upstream session and no error ever shown.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority, createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import type { SimQuirks } from '../../src/sim/quirks.js';
import { TestRtspClient } from './sim-client.js';
import { startRig, type Rig } from '../support/stream-rig.js';
import { fingerprintOf } from '../support/pin.js';
import { waitFor } from '../support/wait.js';

const rigs: Rig[] = [];
const clients: TestRtspClient[] = [];
const stations: SimBaseStation[] = [];

after(async () => {
  for (const client of clients) client.close();
  for (const rig of rigs) await rig.close();
  for (const station of stations) await station.stop();
});

const cases: Record<string, SimQuirks> = {
  'bare LF line ends, blanks in the status line and before a colon, a header line with no colon': { looseSyntax: true },
  'Content-Length in odd case, with blanks before and a word after the value': { looseContentLength: true },
  'every answer with another CSeq than its request': { wrongCSeq: true },
  'OPTIONS requests from the base station while playing': { asksClientMs: 300 },
  'the Session named on the DESCRIBE answer only, required from SETUP on': { sessionAtDescribe: true },
  'TLS with only RSA key exchange and AES-CBC-SHA1, a 1024-bit SHA-1-signed certificate': { legacyTls: true },
};

describe('upstream tolerance to what FFmpeg accepts', { concurrency: 2 }, () => {
  for (const [name, quirks] of Object.entries(cases)) {
    it(name, { timeout: 60_000 }, async () => {
      const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { sessionTimeoutSeconds: 2, quirks } });
      rigs.push(rig);
      const errors: string[] = [];
      rig.manager.on('change', () => {
        const runtime = rig.manager.runtime('CAM');
        if (runtime?.error) errors.push(runtime.error);
      });
      const { url, port } = await rig.endpoint('CAM');
      const client = await TestRtspClient.connectPlain(port);
      clients.push(client);
      await client.play(url);
      await client.waitForFrames(20);
      const keepAlives = (): number => rig.station.stats.requests.filter((r) => r.method === 'GET_PARAMETER' && r.status === 200).length;
      // Three keep-alives: past one session timeout, so the session lived on them.
      await waitFor(() => keepAlives() >= 3, 20_000, 'three keep-alives accepted');
      if (quirks.asksClientMs) await waitFor(() => rig.station.stats.clientAnswers >= 2, 10_000, 'the base station’s requests answered');
      const before = client.frames.length;
      await client.waitForFrames(before + 20);
      assert.equal(rig.station.stats.nonceViolations, 0, 'Nonce violations');
      assert.equal(rig.station.stats.sessionTimeouts, 0, 'the base station never timed the session out');
      assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 1, 'one upstream session');
      assert.equal(rig.manager.runtime('CAM')?.keepAliveFailures, 0, 'every keep-alive answered in time');
      assert.deepEqual(errors, [], 'no error shown');
    });
  }
});

describe('a base station that redirects DESCRIBE (FFmpeg starts over at the Location)', { concurrency: 2 }, () => {
  const cameras = [{ deviceId: 'CAM', codecs: ['avc' as const] }];

  /** `reissued`: the target presents another certificate on the redirecting base station's key. */
  async function redirecting(targetIdentity: 'same' | 'reissued' | 'stranger') {
    const ca = await SimCertificateAuthority.create();
    const identity = await createSelfSignedServerCertificate('arlo-basestation.local');
    const targetsOwn = {
      same: identity,
      reissued: await createSelfSignedServerCertificate('arlo-basestation.local', { keyPem: identity.keyPem }),
      stranger: undefined,
    }[targetIdentity];
    const target = new SimBaseStation({ ca, cameras, sessionTimeoutSeconds: 2, ...(targetsOwn ? { identity: targetsOwn } : {}) });
    await target.start();
    stations.push(target);
    const rig = await startRig({ ca, cameras, station: { identity, quirks: { redirect: { status: 302, to: `rtsp://127.0.0.1:${target.port}` } } } });
    rigs.push(rig);
    const { url, port } = await rig.endpoint('CAM');
    const client = await TestRtspClient.connectPlain(port);
    clients.push(client);
    return { rig, target, url, client };
  }

  it('follows it to the same base station at another address: a new connection, the Nonce from 0, keep-alives there', { timeout: 60_000 }, async () => {
    const { rig, target, url, client } = await redirecting('same');
    await client.play(url);
    await client.waitForFrames(20);
    assert.deepEqual(rig.station.stats.requests.map((r) => `${r.method} ${r.status}`), ['OPTIONS 200', 'DESCRIBE 302']);
    await waitFor(() => target.stats.requests.filter((r) => r.method === 'GET_PARAMETER' && r.status === 200).length >= 3, 20_000, 'keep-alives at the target');
    assert.equal(target.stats.requests[0]?.nonce, '0', 'a new connection counts from 0');
    assert.equal(target.stats.nonceViolations, 0);
    assert.equal(target.stats.sessionTimeouts, 0);
    assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 1);
  });

  it('follows it to a certificate re-issued on the same key, and pins only the redirecting base station', { timeout: 60_000 }, async () => {
    const { rig, target, url, client } = await redirecting('reissued');
    const pinned: string[] = [];
    rig.manager.on('identityPinned', (_id, identity) => pinned.push(identity.fingerprint));
    await client.play(url);
    await client.waitForFrames(5);
    assert.equal(target.stats.sessionsOpened, 1);
    assert.deepEqual(pinned, [fingerprintOf(rig.station.serverCertificatePem)]);
  });

  it('does not follow it to a device with another key: that device gets no request, and the user is told', { timeout: 60_000 }, async () => {
    const { rig, target, url, client } = await redirecting('stranger');
    client.play(url).catch(() => undefined);
    await waitFor(() => /redirected to .*another key/.test(rig.manager.runtime('CAM')?.error ?? ''), 30_000, 'the refusal shown');
    assert.equal(target.stats.requests.length, 0);
  });
});

describe('a base station that answers PLAY before the camera sends anything (FFmpeg waits for the first packet)', () => {
  it('keeps the session while the first media is later than the silence limit, then plays', { timeout: 60_000 }, async () => {
    // Scaled down: the first media 2.5 s after PLAY's answer against a 1 s silence limit stands for
    // a camera that takes longer than the 10 s default to wake once PLAY is answered.
    const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { quirks: { mediaDelayMs: 2_500 } } });
    rigs.push(rig);
    const { url, port } = await rig.endpoint('CAM', { limits: { silenceMs: 1_000 } });
    const client = await TestRtspClient.connectPlain(port);
    clients.push(client);
    await client.play(url);
    await client.waitForFrames(20, 15_000);
    const runtime = rig.manager.runtime('CAM');
    assert.equal(runtime?.mediaSilences, 0, 'the wait for the first media is not a silence');
    assert.equal(runtime?.upstreamSessions, 1, 'one upstream session');
    assert.equal(rig.station.stats.requests.filter((r) => r.method === 'PLAY').length, 1, 'the camera was woken once');
  });
});

describe('a base station that answers PLAY and then never sends media', () => {
  it('replaces the session once the wait for the first media is over, and says the camera may be asleep', { timeout: 60_000 }, async () => {
    const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { quirks: { mediaDelayMs: 600_000 } } });
    rigs.push(rig);
    const { url, port } = await rig.endpoint('CAM', { limits: { silenceMs: 500, firstMediaMs: 1_500 } });
    const client = await TestRtspClient.connectPlain(port);
    clients.push(client);
    client.play(url).catch(() => undefined);
    await waitFor(() => /no media from the base station in the \d+ s after it answered PLAY \(the camera may be asleep or offline\)/.test(rig.manager.runtime('CAM')?.error ?? ''), 20_000, 'the wait shown as over');
    assert.ok((rig.manager.runtime('CAM')?.mediaSilences ?? 0) >= 1);
  });
});
