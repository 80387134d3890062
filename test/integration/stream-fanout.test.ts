// The hub's fan-out writes frames as received when a viewer uses the base station's channels, and
// a fresh header otherwise: both viewers must get the same packets, byte for byte, each on the
// channels it set up, and only those.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TestRtspClient } from './sim-client.js';
import { rigForTests } from '../support/stream-rig.js';

const rig = rigForTests({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }] });

it('a viewer on the upstream channels and one on other channels get the same packets on their own channels', async () => {
  const { url, port } = await rig.endpoint('CAM');
  const same = await TestRtspClient.connectPlain(port);
  const other = await TestRtspClient.connectPlain(port);
  try {
    await same.play(url);
    const described = await other.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const firstTrack = /a=control:(trackID=\d+)/.exec(described.body.toString())![1]!;
    const setup = await other.request('SETUP', `${url}/${firstTrack}`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=6-7' });
    assert.equal(setup.status, 200);
    assert.match(setup.headers.get('Transport') ?? '', /interleaved=6-7/);
    const session = setup.headers.get('Session')!.split(';')[0]!;
    assert.equal((await other.request('PLAY', `${url}/`, { Session: session, Range: 'npt=0.000-' })).status, 200);
    await other.waitForFrames(80);
    await same.waitForFrames(same.frames.length + 20);

    assert.ok(other.frames.every((f) => f.channel === 6 || f.channel === 7), 'only the channels it set up');
    assert.ok(other.frames.some((f) => f.channel === 6));
    const video = (frames: typeof same.frames, channel: number) =>
      new Map(frames.filter((f) => f.channel === channel).map((f) => [f.payload.readUInt16BE(2), f.payload]));
    const seen = video(same.frames, 0);
    const theirs = video(other.frames, 6);
    let compared = 0;
    for (const [sequence, payload] of theirs) {
      const mine = seen.get(sequence);
      if (!mine) continue;
      assert.ok(mine.equals(payload), `packet ${sequence} differs between the viewers`);
      assert.equal(payload[0]! >> 6, 2, 'an RTP version 2 packet');
      compared++;
    }
    assert.ok(compared >= 40, `only ${compared} packets seen by both`);
  } finally {
    same.close();
    other.close();
  }
});
