// The downstream session's RTSP states (RFC 2326 Appendix A) over a real loopback connection, with
// a stand-in hub: methods outside their state are answered 455, and a PLAY whose connection closes
// before the first packet still settles (its request queue drains).

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import type { CameraHub, StreamInfo } from '../../src/main/stream/hub.js';
import { DownstreamSession } from '../../src/main/stream/session.js';
import { TestRtspClient } from '../integration/sim-client.js';

const INFO: StreamInfo = {
  sdpText: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n',
  tracks: [{ index: 0, kind: 'video', codec: 'h264', clockRate: 90_000, rtpChannel: 0 }],
};

/** A hub whose stream is described at once but never sends a packet (PLAY waits for one). */
function silentHub() {
  const calls: string[] = [];
  let played: () => void = () => undefined;
  /** Resolves when the session asks the hub to play. */
  const playing = new Promise<void>((resolve) => (played = resolve));
  const hub = {
    acquire: () => calls.push('acquire'),
    release: () => calls.push('release'),
    describe: () => Promise.resolve(INFO),
    remembered: () => undefined,
    play: () => {
      calls.push('play');
      played();
    },
    detach: () => calls.push('detach'),
  } as unknown as CameraHub;
  return { hub, calls, playing };
}

async function serve(hub: CameraHub): Promise<{ port: number; sessions: DownstreamSession[]; close(): void }> {
  const sessions: DownstreamSession[] = [];
  const server = net.createServer((socket) => sessions.push(new DownstreamSession(socket, () => hub, undefined, silentLogger)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, sessions, close: () => server.close() };
}

describe('downstream session states', () => {
  it('answers PLAY and PAUSE before SETUP, and SETUP while playing, with 455', async () => {
    const { hub } = silentHub();
    const server = await serve(hub);
    const client = await TestRtspClient.connectPlain(server.port);
    try {
      const url = `rtsp://127.0.0.1:${server.port}/CAM`;
      assert.equal((await client.request('PLAY', url)).status, 455);
      assert.equal((await client.request('PAUSE', url)).status, 455);
      const setup = await client.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      assert.equal(setup.status, 200);
      const session = setup.headers.get('Session')!.split(';')[0]!;
      assert.equal((await client.request('PAUSE', url, { Session: session })).status, 200);
      assert.equal((await client.request('OPTIONS', url)).status, 200);
    } finally {
      client.close();
      server.close();
    }
  });

  it('settles a PLAY whose connection closes before the first packet', async () => {
    const { hub, calls, playing } = silentHub();
    const server = await serve(hub);
    const client = await TestRtspClient.connectPlain(server.port);
    const url = `rtsp://127.0.0.1:${server.port}/CAM`;
    const setup = await client.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    const session = setup.headers.get('Session')!.split(';')[0]!;
    void client.request('PLAY', url, { Session: session }).catch(() => undefined);
    await playing;
    client.close();
    const drained = await Promise.race([
      server.sessions[0]!.drained().then(() => 'drained'),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 5_000)),
    ]);
    server.close();
    assert.equal(drained, 'drained');
    assert.ok(calls.includes('release') && calls.includes('detach'), calls.join(', '));
  });
});
