// This app's own session of a camera, as the doctor's PLAY step reads it. The base station allows
// one session per camera: a second one, opened to measure, would be refused (453) and read as
// "another app streams it". So while this app streams the camera, PLAY is measured as one more
// in-process viewer of that session (as the live view watches it), and a session held by another
// process of this app (`arlo-rtsp serve` on the same data dir) is named, not competed with.

import { AttachError, type StreamManager } from '../stream/manager.js';
import { liveTracksOf } from '../live/tracks.js';
import { MediaTap } from '../live/tap.js';
import { isSps, pictureSizeOf } from '../rtsp/sps.js';
import { NO_VIDEO_ADVICE, type Outcome } from './outcome.js';
import { PlayMeter } from './play-meter.js';

export interface HeldSession {
  /** Who holds it, as the user reads it: "this app", or the serving process. */
  holder: string;
  viewers: number;
  /** Measures the held session for `ms` as one more viewer; absent when it is another process's. Undefined: it ended meanwhile. */
  measure?(ms: number): Promise<Outcome | undefined>;
}

/** A camera's session this app holds, by camera id, or undefined when none is open. */
export type HeldSessions = (cameraId: string) => Promise<HeldSession | undefined>;

/** The sessions of this process's stream engine. */
export function heldSessionsOf(streams: StreamManager): HeldSessions {
  return async (cameraId) => {
    const runtime = streams.runtime(cameraId);
    if (runtime?.state !== 'media') return undefined;
    return { holder: 'this app', viewers: runtime.viewers, measure: (ms) => measureHeld(streams, cameraId, runtime.viewers, ms) };
  };
}

async function measureHeld(streams: StreamManager, cameraId: string, viewers: number, ms: number): Promise<Outcome | undefined> {
  const meter = new PlayMeter('joining it');
  let ended: string | undefined;
  let detach: () => void;
  try {
    detach = await streams.attach(cameraId, (info) => {
      const tracks = liveTracksOf(info);
      if (!tracks) throw new AttachError('idle', 'the stream has no H.264/H.265 video');
      const { codec, clockRate, parameterSets } = tracks.video;
      const sps = parameterSets.find((nal) => isSps(codec, nal));
      meter.size = sps && pictureSizeOf(codec, sps);
      return new MediaTap(tracks, {
        video: (unit) => {
          meter.bytes(unit.nals.reduce((sum, nal) => sum + nal.length, 0));
          meter.video(codec, clockRate, unit.timestamp, unit.keyframe);
        },
        audio: (frame) => meter.bytes(frame.frame.length),
        queued: () => 0,
        end: (reason) => (ended = reason),
      });
    }, { wake: false });
  } catch (error) {
    // Not streaming any more (or stopped): the step opens a session of its own instead.
    if (error instanceof AttachError) return undefined;
    throw error;
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    detach();
  }
  const summary = meter.summary("this app's session goes on");
  const measured = `measured on this app's own session of the camera, which ${viewers} other viewer(s) watch (the base station allows one per camera): ${summary}`;
  if (ended !== undefined) return { fail: `${measured}; it ended: ${ended}`, fix: 'Run the diagnosis again; the camera\'s card says why its stream ended.' };
  return meter.sawVideo ? { pass: measured } : { fail: measured, fix: NO_VIDEO_ADVICE };
}
