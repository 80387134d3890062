// What one doctor step found, and the advice for a failure the stream engine reported. The fix
// says what to do; the detail says what was seen: a fix never repeats the detail (the engine's
// error messages carry both, so a StreamError gives its message as the detail and the advice here
// as the fix).

import type { StreamErrorCode } from '../stream/errors.js';

/** A step passed, failed (with what to do), or was not run (and why). */
export type Outcome = { pass: string } | { fail: string; fix: string } | { skip: string };

/** What the user can do about each failure of a base-station session. */
export const STREAM_ADVICE: Record<StreamErrorCode, string> = {
  'certificate-rejected': 'Enroll this base station again (the Enroll button, or "arlo-rtsp enroll").',
  'fingerprint-changed': 'If you replaced or reset the base station, forget its pinned certificate ("arlo-rtsp basestation forget-pin <id>"); otherwise check that the address is the base station\'s.',
  unreachable: 'Check the base station\'s address (your router\'s device list shows it), that it is powered on, and that this computer is on the same network.',
  timeout: 'The base station or the camera is slow to answer: check that the camera is online in the Arlo app, then run the diagnosis again.',
  busy: 'Stop the other viewer of this camera (the Arlo app\'s live view, another copy of this app, Scrypted...), or one of the five streams of this base station, then run the diagnosis again.',
  'nonce-rejected': 'Run the diagnosis again; if it keeps failing, report it with "arlo-rtsp doctor --report" attached.',
  'not-found': 'Refresh the device list; if the camera is still there, choose its other codec.',
  'handshake-reset': 'Enroll this base station again (the Enroll button, or "arlo-rtsp enroll"); if that does not help, run the diagnosis again: a cut connection can also be a network glitch.',
  refused: 'Wait a minute and run the diagnosis again (a base station may still be setting up a new certificate); if it persists, enroll again.',
  closed: 'Run the diagnosis again; if the base station keeps closing the stream, restart it (unplug it for ten seconds).',
  protocol: 'Run the diagnosis again; if it keeps failing, report it with "arlo-rtsp doctor --report" attached.',
};

export const NO_VIDEO_ADVICE = 'The camera may be asleep or offline: check it in the Arlo app, then try again with a longer --play.';
