// Liveness judged by media, and tolerance of what the base station does around it: a session
// whose media stops while TCP stays open is replaced while ffmpeg keeps its connection and decodes
// on; keep-alives answered with an error only count; a stranger that accepts TLS but speaks no
// Arlo RTSP is never pinned.

import assert from 'node:assert/strict';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import type { Phase } from '../../src/main/stream/lifecycle.js';
import { TestRtspClient } from './sim-client.js';
import { ffmpegDecode, rigsClosedAfterTests } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const newRig = rigsClosedAfterTests();

describe('stream liveness', () => {
  it('replaces a session whose media stops while TCP stays open; ffmpeg keeps its connection and decodes on', async () => {
    const silenceMs = 1_500;
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const { url } = await rig.endpoint('CAM', { limits: { silenceMs } });
    const phases: { name: string; at: number; error?: string; viewers: number }[] = [];
    rig.manager.on('phase', (deviceId: string, phase: Phase) => {
      const runtime = rig.manager.runtime(deviceId);
      phases.push({ name: phase.name, at: Date.now(), viewers: runtime?.viewers ?? -1, ...(runtime?.error ? { error: runtime.error } : {}) });
    });

    // 15 fps: 120 frames take 8 s, of which about 2 s pass before the pause.
    const decoding = ffmpegDecode(url, { frames: 120, timeoutMs: 60_000 });
    await waitFor(() => (rig.manager.runtime('CAM')?.bytesOut ?? 0) > 200_000, 20_000, 'ffmpeg to be playing');
    const pausedAt = Date.now();
    rig.station.pauseMedia();
    await waitFor(() => phases.some((p) => p.name === 'closing'), silenceMs * 3 + 5_000, 'the silent session to be replaced');
    const closing = phases.find((p) => p.name === 'closing')!;
    // The watchdog looks four times per limit: the state shows the silence within the limit plus one look (and load).
    assert.ok(closing.at - pausedAt < silenceMs * 1.25 + 1_000, `silence shown after ${closing.at - pausedAt} ms`);
    assert.match(closing.error ?? '', /no media from the base station for \d+ s; replacing the session/);
    assert.equal(closing.viewers, 1, 'the viewer keeps its connection');

    const decoded = await decoding;
    assert.equal(decoded.code, 0, decoded.errors);
    assert.ok(decoded.frames >= 120, `decoded ${decoded.frames} frames`);
    const runtime = rig.manager.runtime('CAM')!;
    assert.equal(runtime.upstreamSessions, 2);
    assert.equal(runtime.mediaSilences, 1);
    assert.equal(rig.station.stats.sessionsOpened, 2);
    const replaced = phases.map((p) => p.name).slice(phases.indexOf(closing), phases.indexOf(closing) + 3);
    assert.deepEqual(replaced, ['closing', 'opening', 'live']);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });

  it('counts keep-alives answered with an error and keeps the session', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { sessionTimeoutSeconds: 2 } });
    const { url, port } = await rig.endpoint('CAM');
    const client = await TestRtspClient.connectPlain(port);
    try {
      await client.play(url);
      // Keep-alives go every 0.67 s (a third of the timeout): the next two are answered 400 and 501.
      rig.station.respondNextWith(400, { method: 'GET_PARAMETER' });
      rig.station.respondNextWith(501, { method: 'GET_PARAMETER' });
      await waitFor(() => rig.manager.runtime('CAM')?.keepAliveFailures === 2, 10_000, 'two failed keep-alives');
      const before = client.frames.length;
      await waitFor(() => client.frames.length > before + 30, 10_000, 'media after the failed keep-alives');
      const runtime = rig.manager.runtime('CAM')!;
      assert.equal(runtime.state, 'media');
      assert.equal(runtime.upstreamSessions, 1);
      assert.equal(rig.station.stats.sessionsOpened, 1);
    } finally {
      client.close();
    }
  });

  it('never pins a stranger that accepts TLS but speaks no Arlo RTSP', async () => {
    const rig = await newRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
    const identity = await createSelfSignedServerCertificate('stranger.local');
    // Answers every request like an RTSP server would, but with no Nonce.
    const stranger = createTlsServer({ key: identity.keyPem, cert: identity.certPem }, (socket) => {
      socket.on('data', (chunk: Buffer) => {
        const cseq = /CSeq:\s*(\d+)/i.exec(chunk.toString())?.[1] ?? '0';
        socket.write(`RTSP/1.0 404 Not Found\r\nCSeq: ${cseq}\r\n\r\n`);
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    try {
      const pinned: string[] = [];
      rig.manager.on('identityPinned', (id) => pinned.push(id));
      const { url, port } = await rig.endpoint('CAM', {
        upstream: {
          baseStationId: 'BASE1',
          host: '127.0.0.1',
          port: (stranger.address() as AddressInfo).port,
          certificatePem: rig.identity.certPem,
          privateKeyPem: rig.identity.keyPem,
        },
      });
      const client = await TestRtspClient.connectPlain(port);
      const describe = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
      client.close();
      assert.equal(describe.status, 503);
      assert.deepEqual(pinned, []);

      // The real (simulated) base station answers with a Nonce: pinned at once.
      await rig.endpoint('CAM');
      const real = await TestRtspClient.connectPlain(rig.manager.runtime('CAM')!.port);
      const described = await real.request('DESCRIBE', rig.manager.runtime('CAM')!.url, { Accept: 'application/sdp' });
      real.close();
      assert.equal(described.status, 200);
      assert.deepEqual(pinned, ['BASE1']);
    } finally {
      stranger.close();
    }
  });
});
