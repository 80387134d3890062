// The packets since the last keyframe, kept so a viewer who joins starts with a decodable picture
// (the hub's keyframe cache). They are kept as offsets into the upstream chunks that hold them, not
// as a Buffer object each: a second of 20 Mbit/s video is ~1,800 packets, and objects living that
// long are promoted to V8's old space, whose collection then ran a major GC every ~0.7 s at 5
// cameras (pauses of 2-4 ms: the engine's p99, see docs/BENCHMARKS.md). Kept here: one
// reference per chunk and four small integers per packet.

export interface CachedPacket {
  track: number;
  packet: Buffer;
}

export class PacketCache {
  /** Total packet bytes held. */
  bytes = 0;
  readonly #chunks: ArrayBufferLike[] = [];
  /** Four numbers per packet: index into #chunks, byte offset, length, track. */
  readonly #entries: number[] = [];

  get size(): number {
    return this.#entries.length / 4;
  }

  /** Empties it, keeping its arrays (allocated once, reused for every keyframe). */
  clear(): void {
    this.#chunks.length = 0;
    this.#entries.length = 0;
    this.bytes = 0;
  }

  add(track: number, packet: Buffer): void {
    const last = this.#chunks.length - 1;
    const chunk = this.#chunks[last] === packet.buffer ? last : this.#chunks.push(packet.buffer) - 1;
    this.#entries.push(chunk, packet.byteOffset, packet.length, track);
    this.bytes += packet.length;
  }

  /** The packets in order, each a view of the bytes it was added with (made on demand: joins are rare). */
  packets(): CachedPacket[] {
    const packets: CachedPacket[] = [];
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i += 4) {
      const chunk = this.#chunks[entries[i]!]!;
      packets.push({ track: entries[i + 3]!, packet: Buffer.from(chunk, entries[i + 1]!, entries[i + 2]!) });
    }
    return packets;
  }
}
