// What the shells offer besides AppApi for pictures: the live view (a binary stream each shell
// carries its own way) and snapshots. The service implements it over its stream engine.

import type { LiveOptions, LiveSink } from './watch.js';

export interface CameraMedia {
  /** Starts a live view of a running camera (waking it); answers the function that closes it. */
  watchLive(deviceId: string, sink: LiveSink, options: LiveOptions): Promise<() => void>;
  /** A JPEG of the camera's latest keyframe; see `takeSnapshot` for the errors. */
  snapshot(deviceId: string, options: { wake: boolean }): Promise<Buffer>;
}
