// What a downstream RTSP session plays from: a camera's hub (its native stream) or a stream derived
// from it (transcode/). The session leases it, asks for its description, and has the fan-out write
// to its socket; a path on the camera's port names which source it plays.

import { rtpmapOf, videoCodecOf, parseSdp, type MediaDescription } from '../rtsp/sdp.js';
import type { HubViewer } from './fanout.js';
import type { UpstreamTrack } from './upstream.js';

export interface StreamInfo {
  sdpText: string;
  tracks: readonly UpstreamTrack[];
}

export interface StreamSource {
  /** A viewer connection holds the stream open (until `release()`), whether or not it plays. */
  acquire(): void;
  release(): void;
  /** The description once the stream plays (needs a lease); waits for it, rejects with a StreamError when it fails. */
  describe(): Promise<StreamInfo>;
  /**
   * The description of this stream's last session, while none plays (a battery camera asleep):
   * answering DESCRIBE with it at once keeps a client with a short timeout from giving up while
   * the camera wakes. Undefined when none is known, or once one plays (`describe()` answers then).
   */
  remembered(): StreamInfo | undefined;
  play(viewer: HubViewer): void;
  detach(viewer: HubViewer): void;
}

/** Which source a request path (`/<camera>`, `/<camera>/sub`, ...) plays; undefined: none (404). */
export type SourceRoute = (path: string) => StreamSource | undefined;

/** A track as the hub and the sessions know it, from its media section (the channel: where it arrives). */
export function trackOf(media: MediaDescription, index: number, rtpChannel: number): UpstreamTrack {
  const codec = media.type === 'video' ? videoCodecOf(media) : undefined;
  return { index, kind: media.type, ...(codec ? { codec } : {}), clockRate: rtpmapOf(media)?.clockRate ?? 90_000, rtpChannel };
}

/** The stream a description announces, its tracks on channels 0-1, 2-3, ... (as our SETUPs ask). */
export function infoOfSdp(sdpText: string): StreamInfo {
  return { sdpText, tracks: parseSdp(sdpText).media.map((media, index) => trackOf(media, index, index * 2)) };
}

/** Whether two descriptions carry the same tracks (kind, codec, clock), so a viewer set up on one can play the other. */
export function sameTracks(a: StreamInfo, b: StreamInfo): boolean {
  return a.tracks.length === b.tracks.length
    && a.tracks.every((t, i) => {
      const u = b.tracks[i]!;
      return t.kind === u.kind && t.codec === u.codec && t.clockRate === u.clockRate;
    });
}
