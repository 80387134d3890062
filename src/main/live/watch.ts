// The live view of one camera: an in-process viewer of its hub (a lease like any RTSP viewer's)
// whose pictures and audio are muxed into fragmented MP4 for the player. Whatever transport
// carries it (a WebSocket, an Electron MessagePort) is the sink.

import { AppError } from '../errors.js';
import type { StreamManager } from '../stream/manager.js';
import type { LiveFormat } from '../../shared/live.js';
import { Fmp4Muxer } from './fmp4.js';
import { MediaTap } from './tap.js';
import { liveTracksOf, type LiveTracks } from './tracks.js';

export interface LiveSink {
  format(format: LiveFormat): void;
  data(bytes: Uint8Array): void;
  /** The view ended without the viewer asking (camera stopped, stream lost, viewer too slow). */
  end(reason: string): void;
  /** Bytes not yet sent on; the hub drops to the next keyframe for a sink that falls behind. */
  queued(): number;
}

export class NoVideoError extends AppError {
  override readonly name = 'NoVideoError';
  constructor() {
    super('no-video', "This camera's stream has no H.264 or H.265 video to show.");
  }
}

/** Tracks of a stream the live view can play; throws when it has no H.264/H.265 video. */
export function requireLiveTracks(info: Parameters<typeof liveTracksOf>[0]): LiveTracks {
  const tracks = liveTracksOf(info);
  if (!tracks) throw new NoVideoError();
  return tracks;
}

export interface LiveOptions {
  /**
   * Include the camera's audio. A muted player needs none, and without it the browser shows the
   * first picture sooner (it does not wait to open an audio output first).
   */
  audio: boolean;
}

/** Starts a live view (waking the camera if needed); answers the function that closes it. */
export async function watchLive(streams: StreamManager, deviceId: string, sink: LiveSink, options: LiveOptions): Promise<() => void> {
  let muxer: Fmp4Muxer | undefined;
  let detach: (() => void) | undefined = undefined;
  let ended = false;
  const stop = (reason?: string): void => {
    if (ended) return;
    ended = true;
    muxer?.close();
    detach?.();
    if (reason !== undefined) sink.end(reason);
  };
  detach = await streams.attach(
    deviceId,
    (info) => {
      const { video, audio } = requireLiveTracks(info);
      const tracks = options.audio && audio ? { video, audio } : { video };
      const mux = new Fmp4Muxer(tracks, {
        format: (format) => sink.format(format),
        data: (bytes) => sink.data(bytes),
        fail: (error) => stop(`The live view failed: ${error.message}`),
      });
      muxer = mux;
      return new MediaTap(tracks, {
        video: (unit) => mux.video(unit),
        audio: (frame) => mux.audio(frame),
        queued: () => sink.queued(),
        end: (reason) => stop(reason),
      });
    },
    { wake: true },
  );
  if (ended) detach();
  return () => stop();
}
