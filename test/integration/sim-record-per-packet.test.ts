// The simulator's `recordPerPacket` write shape (an embedded RTSP server calling SSL_write once per
// RTP packet): each TLS record the client decrypts holds exactly one whole interleaved frame, where
// the default shape packs a video frame's packets into records of up to 16 kB.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity, type ClientIdentity } from '../../src/sim/identity.js';
import type { SimQuirks } from '../../src/sim/quirks.js';
import { TestRtspClient } from './sim-client.js';

describe('simulated base station writing one RTP packet per TLS record', () => {
  let ca: SimCertificateAuthority;
  let identity: ClientIdentity;
  const stations: SimBaseStation[] = [];
  const clients: TestRtspClient[] = [];

  before(async () => {
    ca = await SimCertificateAuthority.create();
    identity = issueIdentity(ca, 'records');
  });

  after(async () => {
    for (const client of clients) client.close();
    for (const station of stations) await station.stop();
  });

  /** The decrypted chunks the client reads once media flows (a TLS client reads one record per chunk). */
  async function mediaChunks(quirks: SimQuirks, frames: number): Promise<{ chunks: Buffer[]; client: TestRtspClient }> {
    const station = new SimBaseStation({
      ca,
      cameras: [{ deviceId: 'CAM1', codecs: ['avc'] }],
      source: { synthetic: { bitrate: 4_000_000, fps: 25, keyframeIntervalFrames: 10 } },
      quirks,
    });
    stations.push(station);
    await station.start();
    const client = await TestRtspClient.connectTls(station.port, identity);
    clients.push(client);
    await client.play(station.urlFor('CAM1'));
    const chunks: Buffer[] = [];
    client.socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    await client.waitForFrames(frames, 10_000);
    return { chunks, client };
  }

  it('sends each interleaved frame as a record of its own, in order and whole', async () => {
    const { chunks, client } = await mediaChunks({ recordPerPacket: true }, 300);
    assert.ok(chunks.length >= 200, `${chunks.length} chunks`);
    for (const chunk of chunks) {
      assert.equal(chunk[0], 0x24, 'each record starts an interleaved frame');
      assert.equal(chunk.length, 4 + chunk.readUInt16BE(2), 'and holds exactly that frame');
    }
    const sequences = client.frames.filter((f) => f.channel === 0).map((f) => f.payload.readUInt16BE(2));
    for (let i = 1; i < sequences.length; i++) assert.equal(sequences[i], (sequences[i - 1]! + 1) & 0xffff, 'no packet lost or reordered');
  });

  it('by default packs several frames into one record', async () => {
    const { chunks } = await mediaChunks({}, 300);
    assert.ok(chunks.some((chunk) => chunk.length > 4 + chunk.readUInt16BE(2)), 'some record holds more than one frame');
  });
});
