// The packets since the last keyframe, kept so a viewer who joins starts with a decodable picture
// (the hub's keyframe cache).
//
// The cache copies each packet into slabs it owns and reuses from one keyframe to the next, rather
// than holding on to the upstream chunks the packets arrived in. Held for a second or more, those
// chunks outlived V8's young generation: each collection found a keyframe interval of them alive
// and promoted it, their bytes counted towards the old generation's limit, and that limit was then
// reached again within a keyframe interval, so `serve` ran a major GC about every 0.6 s at 5 cameras
// of 20 Mbit/s (concurrent marking was most of its non-I/O CPU, and dead chunks waiting for the next
// major GC most of its RSS growth; docs/BENCHMARKS.md). Now an upstream chunk dies young, once its
// writes to the viewers are done, and the cache allocates nothing while its size stays the same.
// Per packet it keeps four small integers, no object.

export interface CachedPacket {
  track: number;
  packet: Buffer;
}

/**
 * Room per slab: a few hundred packets; a keyframe interval at 20 Mbit/s fills about ten. An
 * interleaved packet is at most 64 KiB (its length is 16 bits), so any packet fits an empty slab.
 */
const SLAB_BYTES = 256 * 1024;

export class PacketCache {
  /** Total packet bytes held. */
  bytes = 0;
  /** Where packets are copied to; kept across `clear()` for the next keyframe interval. */
  #slabs: Buffer[] = [];
  /** The slab being filled and how much of it is used. */
  #slab = 0;
  #used = 0;
  /** Four numbers per packet: slab index, byte offset, length, track. */
  readonly #entries: number[] = [];

  get size(): number {
    return this.#entries.length / 4;
  }

  /**
   * Empties it for the next keyframe interval, keeping as many slabs as this one filled (a stream's
   * intervals are alike, so they are reused rather than allocated again; a shorter one gives back
   * the rest).
   */
  clear(): void {
    this.#slabs.length = Math.min(this.#slabs.length, this.#slab + 1);
    this.#reset();
  }

  /** Empties it and gives back every slab (the stream ended). */
  release(): void {
    this.#slabs = [];
    this.#reset();
  }

  add(track: number, packet: Buffer): void {
    if (this.#used + packet.length > SLAB_BYTES && this.#used > 0) {
      this.#slab++;
      this.#used = 0;
    }
    const slab = (this.#slabs[this.#slab] ??= Buffer.allocUnsafeSlow(SLAB_BYTES));
    packet.copy(slab, this.#used);
    this.#entries.push(this.#slab, this.#used, packet.length, track);
    this.#used += packet.length;
    this.bytes += packet.length;
  }

  /**
   * A copy of the packets in order (joins are rare). A copy, because a joining viewer's socket may
   * hold the bytes for a while and the slabs are rewritten from the next keyframe on.
   */
  packets(): CachedPacket[] {
    const copy = Buffer.allocUnsafe(this.bytes);
    const packets: CachedPacket[] = [];
    const entries = this.#entries;
    let offset = 0;
    for (let i = 0; i < entries.length; i += 4) {
      const [slab, start, length, track] = [entries[i]!, entries[i + 1]!, entries[i + 2]!, entries[i + 3]!];
      this.#slabs[slab]!.copy(copy, offset, start, start + length);
      packets.push({ track, packet: copy.subarray(offset, offset + length) });
      offset += length;
    }
    return packets;
  }

  #reset(): void {
    this.#entries.length = 0;
    this.#slab = 0;
    this.#used = 0;
    this.bytes = 0;
  }
}
