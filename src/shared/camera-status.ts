// How a camera's stream state reads to a person, for the window and the tray alike: a short label,
// and a sentence saying why it waits and when it tries again.

import type { CameraStreamState, CameraView, CameraWaitReason } from './api.js';

export const STATE_LABEL: Record<CameraStreamState, string> = {
  idle: 'Idle',
  connecting: 'Connecting',
  waking: 'Waking the camera',
  media: 'Streaming',
  waiting: 'Waiting to retry',
  error: 'Error',
};

const WAIT_LABEL: Record<CameraWaitReason, string> = {
  busy: 'busy',
  unreachable: 'unreachable',
  timeout: 'no answer',
  'handshake-reset': 'connection cut during the handshake',
  refused: 'refused',
  'nonce-rejected': 'request rejected',
  closed: 'connection closed',
  protocol: 'unexpected answer',
  silent: 'no media',
  lost: 'connection lost',
};

/**
 * The sentence under a camera's state, or undefined when there is nothing to explain. `now` is
 * the reader's clock (epoch ms), for "retrying in 8 s".
 */
export function cameraStatusLine(camera: Pick<CameraView, 'state' | 'error' | 'waitReason' | 'retryAt'>, now: number): string | undefined {
  if (camera.state === 'waiting' && camera.waitReason) {
    const retryAt = camera.retryAt === undefined ? undefined : Date.parse(camera.retryAt);
    const seconds = retryAt === undefined ? undefined : Math.max(0, Math.ceil((retryAt - now) / 1000));
    const when = seconds === undefined ? '' : seconds === 0 ? '; retrying now' : `; retrying in ${seconds} s`;
    return `${WAIT_LABEL[camera.waitReason]}: ${camera.error ?? 'waiting'}${when}`;
  }
  if (camera.state === 'waking') {
    return camera.error ?? 'Waiting for the base station to answer; a battery camera wakes first, which can take up to 30 s.';
  }
  return camera.error;
}
