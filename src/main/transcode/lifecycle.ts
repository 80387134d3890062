// The life of one derived stream's ffmpeg, as a pure transition function (the Transcoder owns the
// child process and the timers; every decision is made here, from the state and one event).
//
//   idle ──wanted──▶ starting ──announced──▶ running
//                       │  ▲                   │ exited (while wanted) ─▶ restarting ──retry-due──▶ starting
//                       │  └──── exited while stopping, wanted again ──┐
//                       └── unwanted ─▶ stopping ──exited──▶ idle ─────┘
//   any ──unavailable──▶ failed (no ffmpeg, no encoder) ──wanted──▶ starting
//   any ──close──▶ closed
//
// A stalled ffmpeg (no output for a while) is killed: its exit is an `exited` like any other.

import type { TranscoderState } from '../../shared/streams.js';

export type TranscodePhase =
  | { name: 'idle' }
  | { name: 'starting'; failures: number }
  | { name: 'running' }
  /** The child is being stopped; `wanted` says whether to start again once it is gone. */
  | { name: 'stopping'; failures: number }
  | { name: 'restarting'; failures: number; retryAt: number; message: string }
  | { name: 'failed'; message: string }
  | { name: 'closed' };

export interface TranscodeLifecycle {
  phase: TranscodePhase;
  wanted: boolean;
}

export type TranscodeEvent =
  | { type: 'wanted' }
  | { type: 'unwanted' }
  /** ffmpeg announced its output: the derived stream plays. */
  | { type: 'announced' }
  /** The child exited (or could not start); `message` says why, for the user. */
  | { type: 'exited'; message: string; at: number }
  | { type: 'retry-due' }
  /** ffmpeg cannot run here at all (missing, or no H.264 encoder). */
  | { type: 'unavailable'; message: string }
  | { type: 'close' };

/** `spawn`: start ffmpeg; `kill`: stop it; `settle`: answer waiting descriptions (or fail them, by the phase); `end-viewers`. */
export type TranscodeEffect = 'spawn' | 'kill' | 'settle' | 'end-viewers';

export const TRANSCODE_INITIAL: TranscodeLifecycle = { phase: { name: 'idle' }, wanted: false };

/** Waits before the next start after 1, 2, ... failures in a row (the last repeats). */
export const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000] as const;

export function restartDelay(failures: number): number {
  return RESTART_DELAYS_MS[Math.min(failures, RESTART_DELAYS_MS.length) - 1] ?? RESTART_DELAYS_MS[0];
}

export function transcodeTransition(state: TranscodeLifecycle, event: TranscodeEvent): { next: TranscodeLifecycle; effects: TranscodeEffect[] } {
  const { phase } = state;
  const to = (next: TranscodePhase, wanted: boolean, effects: TranscodeEffect[] = []) => ({ next: { phase: next, wanted }, effects });
  if (phase.name === 'closed') return to(phase, false);
  switch (event.type) {
    case 'close':
      return to({ name: 'closed' }, false, ['kill', 'end-viewers', 'settle']);
    case 'unavailable':
      return to({ name: 'failed', message: event.message }, state.wanted, ['kill', 'settle', 'end-viewers']);
    case 'wanted':
      if (phase.name === 'idle' || phase.name === 'failed') return to({ name: 'starting', failures: 0 }, true, ['spawn']);
      return to(phase, true);
    case 'unwanted':
      if (phase.name === 'starting' || phase.name === 'running') return to({ name: 'stopping', failures: 0 }, false, ['kill']);
      if (phase.name === 'restarting') return to({ name: 'idle' }, false);
      return to(phase, false);
    case 'announced':
      if (phase.name === 'starting') return to({ name: 'running' }, state.wanted, ['settle']);
      return to(phase, state.wanted);
    case 'exited': {
      if (phase.name === 'stopping') {
        return state.wanted ? to({ name: 'starting', failures: phase.failures }, true, ['spawn']) : to({ name: 'idle' }, false);
      }
      if (phase.name !== 'starting' && phase.name !== 'running') return to(phase, state.wanted);
      if (!state.wanted) return to({ name: 'idle' }, false);
      const failures = phase.name === 'starting' ? phase.failures + 1 : 1;
      return to({ name: 'restarting', failures, retryAt: event.at + restartDelay(failures), message: event.message }, true);
    }
    case 'retry-due':
      if (phase.name !== 'restarting') return to(phase, state.wanted);
      return state.wanted ? to({ name: 'starting', failures: phase.failures }, true, ['spawn']) : to({ name: 'idle' }, false);
  }
}

/** The phase as the UI shows it. */
export function transcoderState(phase: TranscodePhase): TranscoderState {
  switch (phase.name) {
    case 'idle':
    case 'closed':
    case 'stopping':
      return 'idle';
    case 'starting':
      return phase.failures > 0 ? 'restarting' : 'starting';
    case 'running':
      return 'running';
    case 'restarting':
      return 'restarting';
    case 'failed':
      return 'failed';
  }
}
