// The sub-stream's settings as stored (absent: the defaults), and the checks a change goes through.

import { DEFAULT_SUB_STREAM_FPS, DEFAULT_SUB_STREAM_WIDTH, SUB_STREAM_FPS_RANGE, SUB_STREAM_WIDTH_RANGE } from '../../shared/streams.js';
import { AppError } from '../errors.js';
import type { AppData } from '../store/types.js';

export interface SubStreamSettings {
  width: number;
  fps: number;
}

export function subStreamSettings(data: AppData): SubStreamSettings {
  return { width: data.settings.subStreamWidth ?? DEFAULT_SUB_STREAM_WIDTH, fps: data.settings.subStreamFps ?? DEFAULT_SUB_STREAM_FPS };
}

/** The width a user asked for, made even; a clear error outside the range. */
export function checkSubStreamWidth(width: number): number {
  const { min, max } = SUB_STREAM_WIDTH_RANGE;
  if (!Number.isInteger(width) || width < min || width > max) {
    throw new AppError('invalid-setting', `The sub-stream width must be a whole number of pixels from ${min} to ${max}.`);
  }
  return Math.round(width / 2) * 2;
}

export function checkSubStreamFps(fps: number): number {
  const { min, max } = SUB_STREAM_FPS_RANGE;
  if (!Number.isInteger(fps) || fps < min || fps > max) {
    throw new AppError('invalid-setting', `The sub-stream frame rate must be a whole number from ${min} to ${max} frames per second.`);
  }
  return fps;
}
