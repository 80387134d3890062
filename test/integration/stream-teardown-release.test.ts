// A viewer's TEARDOWN lets go of the stream at once, even when the client keeps its half of the
// connection open: the base station sees its own TEARDOWN after the linger, so a battery camera
// sleeps again instead of streaming to a connection nobody watches.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, it } from 'node:test';
import { RtspReader } from '../../src/main/rtsp/reader.js';
import type { RtspResponse } from '../../src/main/rtsp/message.js';
import { startRig, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const rigs: Rig[] = [];
const sockets: net.Socket[] = [];
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(rigs.map((rig) => rig.close()));
});

/** A bare RTSP client whose socket stays half-open after the server ends its side. */
function halfOpenClient(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sockets.push(socket);
  const reader = new RtspReader();
  const waiting: ((response: RtspResponse) => void)[] = [];
  let frames = 0;
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let item = reader.read(); item; item = reader.read()) {
      if (item.kind === 'frame') frames++;
      else if (item.kind === 'response') waiting.shift()?.(item);
    }
  });
  let cseq = 0;
  const request = (method: string, url: string, headers: Record<string, string> = {}) =>
    new Promise<RtspResponse>((resolve) => {
      waiting.push(resolve);
      const lines = Object.entries({ CSeq: String(++cseq), ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`${method} ${url} RTSP/1.0\r\n${lines}\r\n`);
    });
  return { socket, request, frames: () => frames };
}

it('TEARDOWN on a connection the client keeps open still ends the upstream session after the linger', async () => {
  const rig = await startRig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });
  rigs.push(rig);
  const { url } = await rig.endpoint('CAM', { lingerMs: 200 });
  const client = halfOpenClient(Number(new URL(url).port));

  const described = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
  assert.equal(described.status, 200);
  const base = described.headers.get('Content-Base') ?? `${url}/`;
  const controls = [...described.body.toString().matchAll(/^a=control:(\S+)$/gm)].map((m) => m[1]!).filter((c) => c !== '*');
  let session = '';
  for (const [index, control] of controls.entries()) {
    const track = control.startsWith('rtsp://') ? control : `${base.replace(/\/?$/, '/')}${control}`;
    const setup = await client.request('SETUP', track, {
      Transport: `RTP/AVP/TCP;unicast;interleaved=${index * 2}-${index * 2 + 1}`,
      ...(session ? { Session: session } : {}),
    });
    assert.equal(setup.status, 200);
    session = (setup.headers.get('Session') ?? '').split(';')[0]!;
  }
  assert.equal((await client.request('PLAY', base, { Session: session, Range: 'npt=0.000-' })).status, 200);
  await waitFor(() => client.frames() > 10, 5_000, 'media');
  const teardowns = rig.station.stats.teardownsWithValidNonce;

  assert.equal((await client.request('TEARDOWN', base, { Session: session })).status, 200);
  // The client never closes its side; the engine must not wait for it.
  await waitFor(() => rig.station.stats.teardownsWithValidNonce === teardowns + 1, 5_000, 'TEARDOWN upstream after the linger');
  assert.equal(rig.station.stats.activeSessions, 0);
  assert.ok(!client.socket.destroyed, 'the client still holds its connection');
});
