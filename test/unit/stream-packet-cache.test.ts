import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketCache } from '../../src/main/stream/packet-cache.js';

/** A packet of `length` bytes, each byte `fill`. */
const packetOf = (length: number, fill: number) => Buffer.alloc(length, fill);

test('packet cache: packets come back in order with their tracks and bytes; clear empties it', () => {
  const chunk = Buffer.concat([packetOf(10, 1), packetOf(26, 2), packetOf(56, 3)]);
  const cache = new PacketCache();
  const added = [
    { track: 1, packet: chunk.subarray(0, 10) },
    { track: 0, packet: chunk.subarray(10, 36) },
    { track: 0, packet: chunk.subarray(36, 92) },
  ];
  for (const { track, packet } of added) cache.add(track, packet);
  assert.equal(cache.size, 3);
  assert.equal(cache.bytes, 10 + 26 + 56);
  assert.deepEqual(cache.packets().map((p) => p.track), [1, 0, 0]);
  assert.deepEqual(cache.packets().map((p) => p.packet), added.map((a) => a.packet));

  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
  assert.deepEqual(cache.packets(), []);
});

test('packet cache: holds copies, so the upstream chunk is free to go (and to be reused) once written', () => {
  const chunk = packetOf(100, 7);
  const cache = new PacketCache();
  cache.add(0, chunk.subarray(0, 50));
  chunk.fill(0);
  const [cached] = cache.packets();
  assert.notEqual(cached!.packet.buffer, chunk.buffer);
  assert.deepEqual(cached!.packet, packetOf(50, 7));
});

test('packet cache: what a joining viewer was given stays intact while the next keyframe intervals reuse the slabs', () => {
  const cache = new PacketCache();
  // More than one slab's worth (256 KiB), in packets of the largest interleaved size and odd sizes.
  const first = Array.from({ length: 12 }, (_, i) => packetOf(i % 2 ? 65_535 : 1_400, i + 1));
  for (const packet of first) cache.add(0, packet);
  const given = cache.packets();
  assert.deepEqual(given.map((p) => p.packet), first);

  for (let interval = 0; interval < 3; interval++) {
    cache.clear();
    const next = Array.from({ length: 12 }, (_, i) => packetOf(i % 2 ? 65_535 : 1_400, 200 + interval));
    for (const packet of next) cache.add(1, packet);
    assert.deepEqual(cache.packets().map((p) => p.packet), next);
  }
  assert.deepEqual(given.map((p) => p.packet), first, 'the joiner’s bytes were overwritten');

  cache.release();
  assert.equal(cache.size, 0);
  cache.add(0, packetOf(3, 9));
  assert.deepEqual(cache.packets().map((p) => p.packet), [packetOf(3, 9)]);
});
