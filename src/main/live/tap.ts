// An in-process viewer of a camera's hub (HubViewer): the live view and the snapshot take the
// stream this way, as one more viewer of the one base-station session. The hub writes interleaved
// `$` frames to a viewer's socket; this "socket" reads them back into RTP packets, depacketizes
// them, and hands out pictures and audio frames. Its queue is whatever its consumer has not sent
// on yet, so the hub's rules for a slow viewer (drop to the next keyframe, let go when stalled)
// apply to a slow browser just as to a slow RTSP client.

import type { HubViewer } from '../stream/hub.js';
import { depacketizeAac, VideoDepacketizer, type AacFrame, type AccessUnit } from './depacketize.js';
import type { LiveTracks } from './tracks.js';

export interface TapConsumer {
  video(unit: AccessUnit): void;
  audio(frame: AacFrame): void;
  /** Bytes waiting to be sent on (a WebSocket's bufferedAmount). */
  queued(): number;
  /** The hub let this viewer go (stream gone, viewer stalled). */
  end(reason: string): void;
}

export class MediaTap implements HubViewer {
  readonly socket: HubViewer['socket'];
  readonly #tracks: LiveTracks;
  readonly #consumer: TapConsumer;
  readonly #video: VideoDepacketizer;
  /** Bytes of a `$` frame split across writes (the hub writes a header and its packet apart). */
  #partial: Buffer | undefined;

  constructor(tracks: LiveTracks, consumer: TapConsumer) {
    this.#tracks = tracks;
    this.#consumer = consumer;
    this.#video = new VideoDepacketizer(tracks.video.codec);
    this.socket = {
      get writableLength() {
        return consumer.queued();
      },
      cork: () => undefined,
      uncork: () => undefined,
      write: (chunk: Buffer) => {
        this.#read(chunk);
        return true;
      },
    };
  }

  /** The channel of each track we play: the RTP channel of its index (RTCP is not needed). */
  channelOf(track: number): number | undefined {
    return track === this.#tracks.video.index || track === this.#tracks.audio?.index ? track * 2 : undefined;
  }

  begin(): void {
    // Timing comes from the RTP timestamps themselves; RTP-Info is for RTSP clients.
  }

  end(reason: string): void {
    this.#consumer.end(reason);
  }

  #read(chunk: Buffer): void {
    let data = this.#partial ? Buffer.concat([this.#partial, chunk]) : chunk;
    this.#partial = undefined;
    while (data.length >= 4) {
      const length = data.readUInt16BE(2);
      if (data.length < 4 + length) break;
      if (data[0] === 0x24) this.#packet(data[1]!, data.subarray(4, 4 + length));
      data = data.subarray(4 + length);
    }
    if (data.length > 0) this.#partial = Buffer.from(data);
  }

  #packet(channel: number, packet: Buffer): void {
    if (channel % 2 === 1) return; // RTCP
    const track = channel / 2;
    if (track === this.#tracks.video.index) {
      for (const unit of this.#video.push(packet)) this.#consumer.video(unit);
    } else if (this.#tracks.audio && track === this.#tracks.audio.index) {
      for (const frame of depacketizeAac(packet, this.#tracks.audio)) this.#consumer.audio(frame);
    }
  }
}
