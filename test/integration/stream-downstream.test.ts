// The downstream RTSP port under bad input and on a non-loopback address, and the upstream
// session's certificate handling: refusal at the handshake, pinning on first use, a changed
// certificate, an unreachable base station.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { issueIdentity } from '../../src/sim/identity.js';
import { TestRtspClient } from './sim-client.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import type { PeerIdentity } from '../../src/main/stream/identity.js';
import { fingerprintOf, keyOf } from '../support/pin.js';
import { ffmpegDecode, rigForTests, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

/** Sends raw bytes on a fresh connection; resolves with everything received until the server closes. */
function exchange(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection not closed; got ${JSON.stringify(received.slice(0, 200))}`));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(bytes);
  });
}

describe('downstream port', () => {
  const rig = rigForTests({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }, { deviceId: 'LAN', codecs: ['avc'] }] });

  it('answers garbage, an oversized header and an unknown method while a viewer keeps watching', async () => {
    const { url, port } = await rig.endpoint('CAM');
    const watcher = await TestRtspClient.connectPlain(port);
    try {
      await watcher.play(url);
      await watcher.waitForFrames(10);

      assert.match(await exchange(port, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x01])), /^RTSP\/1\.0 400 /);
      const huge = `OPTIONS ${url} RTSP/1.0\r\nCSeq: 1\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`;
      assert.match(await exchange(port, huge), /^RTSP\/1\.0 431 /);
      const tooLong = `ANNOUNCE ${url} RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 10000000\r\n\r\n`;
      assert.match(await exchange(port, tooLong), /^RTSP\/1\.0 413 /);

      const stranger = await TestRtspClient.connectPlain(port);
      const unknown = await stranger.request('BREW', url);
      assert.equal(unknown.status, 501);
      assert.equal(unknown.headers.get('CSeq'), '1');
      const record = await stranger.request('RECORD', url);
      assert.equal(record.status, 405);
      stranger.close();

      const before = watcher.frames.length;
      await watcher.waitForFrames(before + 20);
      assert.equal(rig.manager.runtime('CAM')?.viewers, 1);
    } finally {
      watcher.close();
    }
  });

  it('on a non-loopback address asks for credentials and plays for ffmpeg with them in the URL', async () => {
    await rig.endpoint('LAN', { listenAddress: '0.0.0.0', credentials: { username: 'viewer', password: 'p@ss word' } });
    const runtime = rig.manager.runtime('LAN')!;
    assert.match(runtime.url, /^rtsp:\/\/viewer@[^/]+:\d+\/LAN$/, 'the username but never the password');
    // Connect only through loopback, although the port listens on every address.
    const local = new URL(runtime.url);
    local.password = encodeURIComponent('p@ss word');
    local.hostname = '127.0.0.1';
    const anonymous = await TestRtspClient.connectPlain(runtime.port);
    const refused = await anonymous.request('DESCRIBE', `rtsp://127.0.0.1:${runtime.port}/LAN`, { Accept: 'application/sdp' });
    anonymous.close();
    assert.equal(refused.status, 401);
    assert.ok(refused.headers.getAll('WWW-Authenticate').some((v) => v.startsWith('Digest ')));
    const decoded = await ffmpegDecode(local.href, { frames: 20 });
    assert.equal(decoded.errors, '');
    assert.ok(decoded.frames >= 20, `decoded ${decoded.frames} frames`);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('refuses to listen beyond loopback without credentials, and names a port in use', async () => {
    await assert.rejects(rig.endpoint('LAN', { listenAddress: '0.0.0.0', port: 0 }), /needs a username and password/);
    const taken = rig.manager.runtime('CAM')!.port;
    await assert.rejects(rig.endpoint('LAN', { port: taken }), new RegExp(`Port ${taken} on 127\\.0\\.0\\.1 is already in use`));
  });
});

describe('upstream certificates', () => {
  const rig = rigForTests({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });

  it('pins the base station certificate on first use', async () => {
    const pinned: [string, PeerIdentity][] = [];
    rig.manager.on('identityPinned', (id, identity) => pinned.push([id, identity]));
    const { url, port } = await rig.endpoint('CAM');
    const client = await TestRtspClient.connectPlain(port);
    await client.play(url);
    client.close();
    const { serverCertificatePem } = rig.station;
    assert.deepEqual(pinned, [['BASE1', { fingerprint: fingerprintOf(serverCertificatePem), key: keyOf(serverCertificatePem) }]]);
    // FFmpeg's order, the Nonce rule from 0 on the first request.
    const requests = rig.station.stats.requests.slice(0, 5);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.status}`), ['OPTIONS 200', 'DESCRIBE 200', 'SETUP 200', 'SETUP 200', 'PLAY 200']);
    assert.equal(requests[0]?.nonce, '0');
    assert.match(requests[1]?.uri ?? '', /\/CAM\/tcp\/avc$/);
  });

  const other = 'AA:'.repeat(31) + 'AA';
  for (const [pinned, said] of [
    [{ fingerprint: other, key: other }, /presented a different key than the one pinned/],
    [{ fingerprint: other }, /presented a different certificate than the one pinned .* did not pin the key/],
  ] as const) {
    it(`refuses a base station whose ${pinned.key ? 'key' : 'certificate (no key pinned)'} changed, before any request`, async () => {
      const { url, port } = await rig.endpoint('CAM', { upstream: { ...upstreamOf(rig), pin: pinned } });
      const requests = rig.station.stats.requests.length;
      const client = await TestRtspClient.connectPlain(port);
      const describe = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
      client.close();
      assert.equal(describe.status, 503);
      assert.match(rig.manager.runtime('CAM')?.error ?? '', said);
      assert.equal(rig.station.stats.requests.length, requests);
    });
  }

  it('plays a certificate re-issued on the pinned key, and reports it to pin', async () => {
    const pinned: PeerIdentity[] = [];
    rig.manager.on('identityPinned', (_id, identity) => pinned.push(identity));
    const { serverCertificatePem } = rig.station;
    const { url, port } = await rig.endpoint('CAM', { upstream: { ...upstreamOf(rig), pin: { fingerprint: other, key: keyOf(serverCertificatePem) } } });
    const client = await TestRtspClient.connectPlain(port);
    await client.play(url);
    client.close();
    assert.deepEqual(pinned, [{ fingerprint: fingerprintOf(serverCertificatePem), key: keyOf(serverCertificatePem) }]);
  });

  it('reports a certificate the base station refuses at the handshake, so the service can enroll again', async () => {
    const stranger = issueIdentity(await SimCertificateAuthority.create());
    const rejected: string[] = [];
    rig.manager.on('certificateRejected', (id) => rejected.push(id));
    const { url, port } = await rig.endpoint('CAM', {
      upstream: { ...upstreamOf(rig), certificatePem: stranger.certPem, privateKeyPem: stranger.keyPem },
    });
    const client = await TestRtspClient.connectPlain(port);
    // The first cut handshake may be a glitch: retried; the second in a row is a refusal.
    const describe = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
    client.close();
    assert.equal(describe.status, 503);
    assert.match(describe.reason, /refused our certificate.*enroll this base station again/);
    assert.equal(rig.manager.runtime('CAM')?.state, 'error');
    assert.match(rig.manager.runtime('CAM')?.error ?? '', /refused our certificate.*twice in a row.*enroll this base station again/);
    assert.deepEqual(rejected, ['BASE1']);
    assert.equal(rig.station.stats.tlsRejected, 2);
  });

  it('waits to retry, saying to check the address, when nothing answers', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unreachable: string[] = [];
    rig.manager.on('unreachable', (id) => unreachable.push(id));
    const { url, port } = await rig.endpoint('CAM', { upstream: { ...upstreamOf(rig), port: closedPort } });
    const client = await TestRtspClient.connectPlain(port);
    void client.request('DESCRIBE', url, { Accept: 'application/sdp' }).catch(() => undefined);
    await waitFor(() => rig.manager.runtime('CAM')?.state === 'waiting', 5_000, 'the waiting state');
    const runtime = rig.manager.runtime('CAM')!;
    assert.equal(runtime.waitReason, 'unreachable');
    assert.match(runtime.error ?? '', /cannot reach the base station.*check its address/);
    assert.deepEqual(unreachable, ['BASE1']);
    // The viewer leaving ends the attempts; the problem stays on show.
    client.close();
    await waitFor(() => rig.manager.runtime('CAM')?.state === 'idle', 5_000, 'idle once nobody waits');
    assert.match(rig.manager.runtime('CAM')?.error ?? '', /cannot reach the base station/);
  });
});

function upstreamOf(rig: Rig) {
  return {
    baseStationId: 'BASE1',
    host: '127.0.0.1',
    port: rig.station.port,
    certificatePem: rig.identity.certPem,
    privateKeyPem: rig.identity.keyPem,
  };
}
