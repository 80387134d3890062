import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketCache } from '../../src/main/stream/packet-cache.js';

test('packet cache: packets come back in order with their tracks, as views of the same bytes; clear empties it', () => {
  const chunkA = Buffer.alloc(64, 1);
  const chunkB = Buffer.alloc(64, 2);
  const cache = new PacketCache();
  const added = [
    { track: 1, packet: chunkA.subarray(0, 10) },
    { track: 0, packet: chunkA.subarray(14, 40) },
    { track: 0, packet: chunkB.subarray(4, 60) },
    { track: 1, packet: chunkA.subarray(44, 50) }, // a chunk seen before (the seeded audio packet)
  ];
  for (const { track, packet } of added) cache.add(track, packet);
  assert.equal(cache.size, 4);
  assert.equal(cache.bytes, 10 + 26 + 56 + 6);

  const packets = cache.packets();
  assert.deepEqual(packets.map((p) => p.track), [1, 0, 0, 1]);
  packets.forEach(({ packet }, i) => {
    const original = added[i]!.packet;
    assert.equal(packet.buffer, original.buffer);
    assert.equal(packet.byteOffset, original.byteOffset);
    assert.equal(packet.length, original.length);
  });
  chunkB[4] = 99; // rewritten in place (RTP continuity): the cached view sees it
  assert.equal(cache.packets()[2]!.packet[0], 99);

  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
  assert.deepEqual(cache.packets(), []);
});
