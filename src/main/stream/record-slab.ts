// Where the upstream keeps the TLS records it reads: each copied right after the one before into a
// slab, so the frames of consecutive records lie side by side in memory. A base station that sends
// one RTP packet per record hands the hub a dozen records per event-loop turn; side by side, the
// fan-out extends one run over all of them and each viewer gets one write of one view per turn
// instead of one per packet (fanout.ts `#send`). Copied from Node's shared pool instead, records
// are 8-byte aligned and a run rarely spans two.
//
// A slab is never written twice: when the next record may not fit, a new slab begins, and the old
// one lives as long as views of it do (a viewer's queued write, the hub's latest packet per track).

/** A few dozen records of 1.4 KB; small enough that the few a stream keeps alive cost little. */
const SLAB_BYTES = 64 * 1024;

export class RecordSlab {
  #slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #used = 0;

  /** A copy of `source`'s first `length` bytes that is the caller's to keep (and rewrite in place). */
  copy(source: Buffer, length: number): Buffer {
    if (this.#used + length > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, length));
      this.#used = 0;
    }
    const start = this.#used;
    source.copy(this.#slab, start, 0, length);
    this.#used += length;
    return this.#slab.subarray(start, this.#used);
  }
}
