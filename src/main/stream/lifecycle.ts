// The life of one camera's base-station session, as a pure transition function. The hub owns the
// timers and the sockets; every decision about what happens next is made here, from the current
// state and one named event, so a race between two events is a row in a table rather than a
// combination of flags.
//
//   idle ──wanted──▶ opening ──opened──▶ live ──unwanted──▶ lingering ──linger-expired──▶ closing ──teardown-done──▶ idle
//                       │                 │ silent / lost                                  (▲ wanted meanwhile: reopen)
//                       └─open-failed─▶ waiting(reason, retryAt) ──retry-due──▶ opening
//                       └─open-failed (needs the user)─▶ failed
//   any ──close──▶ stopped
//
// `wanted` says whether anyone holds the stream (a lease or a playing viewer); the hub reports each
// lease acquired ("wanted") and the last one released ("unwanted").

import { certificateRefusedByResets, type StreamErrorCode } from './errors.js';

/** Why the hub waits before the next attempt. */
export type WaitReason = Exclude<StreamErrorCode, FailReason> | 'silent' | 'lost';
/** What no further attempt can fix: the user must act first. */
export type FailReason = 'certificate-rejected' | 'fingerprint-changed' | 'not-found';

const FAILS: ReadonlySet<string> = new Set<FailReason>(['certificate-rejected', 'fingerprint-changed', 'not-found']);

/** Something that went wrong, as the user should read it. */
export interface Problem<R extends string = WaitReason | FailReason> {
  reason: R;
  message: string;
}

export type Phase =
  | { name: 'idle'; last?: Problem }
  /** An attempt is in flight; `problem` is what ended the previous session or attempt. */
  | { name: 'opening'; failures: number; problem?: Problem }
  | { name: 'live' }
  /** Live with no one watching, until the linger runs out. */
  | { name: 'lingering' }
  /** The TEARDOWN of the previous session is in flight; nothing opens before it is done. */
  | { name: 'closing'; problem?: Problem }
  /** Backing off after `failures` failed attempts in a row; the next one at `retryAt` (epoch ms). */
  | { name: 'waiting'; failures: number; retryAt: number; problem: Problem<WaitReason> }
  | { name: 'failed'; problem: Problem<FailReason> }
  /** `close()` was called: nothing opens again. */
  | { name: 'stopped' };

export type PhaseName = Phase['name'];

export interface Lifecycle {
  phase: Phase;
  wanted: boolean;
}

export type LifecycleEvent =
  /** A lease was acquired or a viewer started playing. */
  | { type: 'wanted' }
  /** The last lease was released and no viewer plays. */
  | { type: 'unwanted' }
  /** The open attempt succeeded: the session plays. */
  | { type: 'opened' }
  | { type: 'open-failed'; problem: Problem<StreamErrorCode>; at: number }
  /** No media arrived for the silence limit while the session was up. */
  | { type: 'silent'; message: string }
  /** The base station ended the session (connection closed). */
  | { type: 'lost'; message: string; at: number }
  | { type: 'linger-expired' }
  | { type: 'retry-due' }
  | { type: 'teardown-done' }
  | { type: 'close' };

export type LifecycleEventType = LifecycleEvent['type'];

/**
 * What the hub must do after a transition. `open`: start an attempt. `adopt`: the attempt's
 * session becomes the stream. `teardown`: TEARDOWN the current session. `discard`: a session arrived that nobody expects (after `close`): tear it down.
 * `end-viewers`: let every viewer go with the problem's message.
 */
export type Effect = 'open' | 'adopt' | 'teardown' | 'discard' | 'end-viewers';

export interface LifecycleConfig {
  /** The delay before attempt n+1 after n failures in a row (the last one repeats). */
  retryDelaysMs: readonly number[];
}

export interface Transition {
  next: Lifecycle;
  effects: Effect[];
}

export const INITIAL: Lifecycle = { phase: { name: 'idle' }, wanted: false };

export function isFailReason(code: string): code is FailReason {
  return FAILS.has(code);
}

export function retryDelay(config: LifecycleConfig, failures: number): number {
  const delays = config.retryDelaysMs;
  return delays[Math.min(failures, delays.length) - 1] ?? 0;
}

export function transition(state: Lifecycle, event: LifecycleEvent, config: LifecycleConfig): Transition {
  const { phase } = state;
  const stay: Transition = { next: state, effects: [] };
  const to = (next: Phase, effects: Effect[] = [], wanted = state.wanted): Transition => ({ next: { phase: next, wanted }, effects });

  if (phase.name === 'stopped') return event.type === 'opened' ? { next: state, effects: ['discard'] } : stay;
  if (event.type === 'close') {
    const hasSession = phase.name === 'live' || phase.name === 'lingering';
    return to({ name: 'stopped' }, hasSession ? ['teardown'] : [], false);
  }
  // Only an attempt in flight can deliver a session; anything else arriving is torn down.
  if (event.type === 'opened' && phase.name !== 'opening') return { next: state, effects: ['discard'] };

  switch (phase.name) {
    case 'idle':
      return event.type === 'wanted' ? to({ name: 'opening', failures: 0 }, ['open'], true) : stay;

    case 'opening':
      switch (event.type) {
        case 'wanted':
          return to(phase, [], true);
        case 'unwanted':
          // The attempt goes on: the session then lingers, so a viewer coming back soon finds it.
          return to(phase, [], false);
        case 'opened':
          return to(state.wanted ? { name: 'live' } : { name: 'lingering' }, ['adopt']);
        case 'open-failed':
          return afterFailure(state, phase.failures, phase.problem, event.problem, event.at, config);
        default:
          return stay;
      }

    case 'live':
    case 'lingering':
      switch (event.type) {
        case 'wanted':
          return to({ name: 'live' }, [], true);
        case 'unwanted':
          return to({ name: 'lingering' }, [], false);
        case 'linger-expired':
          return phase.name === 'lingering' ? to({ name: 'closing' }, ['teardown']) : stay;
        case 'silent':
          // The session is up but dead: replace it (after its TEARDOWN, one stream per camera).
          return to({ name: 'closing', problem: { reason: 'silent', message: event.message } }, ['teardown']);
        case 'lost': {
          const problem: Problem<WaitReason> = { reason: 'lost', message: event.message };
          if (!state.wanted) return to({ name: 'idle', last: problem });
          return to(waiting(1, problem, event.at, config));
        }
        default:
          return stay;
      }

    case 'closing':
      switch (event.type) {
        case 'wanted':
          // A viewer during the TEARDOWN: its session opens once the old one is closed.
          return to(phase, [], true);
        case 'unwanted':
          return to(phase, [], false);
        case 'teardown-done':
          if (state.wanted) return to({ name: 'opening', failures: 0, ...(phase.problem ? { problem: phase.problem } : {}) }, ['open']);
          return to(phase.problem ? { name: 'idle', last: phase.problem } : { name: 'idle' });
        default:
          return stay;
      }

    case 'waiting':
      switch (event.type) {
        case 'unwanted':
          // Nobody waits any more: no further attempt; the problem stays visible.
          return to({ name: 'idle', last: phase.problem }, [], false);
        case 'retry-due':
          return to({ name: 'opening', failures: phase.failures, problem: phase.problem }, ['open']);
        default:
          // A lease during the backoff waits for the scheduled attempt: a busy camera is not hammered.
          return stay;
      }

    case 'failed':
      // A new viewer tries again (the user may have fixed the cause); the old problem shows meanwhile.
      return event.type === 'wanted' ? to({ name: 'opening', failures: 0, problem: phase.problem }, ['open'], true) : stay;
  }
}

function afterFailure(
  state: Lifecycle,
  failures: number,
  previous: Problem | undefined,
  failure: Problem<StreamErrorCode>,
  at: number,
  config: LifecycleConfig,
): Transition {
  const code = failure.reason;
  // A reset during the TLS handshake is how some servers refuse a certificate, but also what a
  // glitch looks like: only the second in a row counts as a refusal.
  const refused = code === 'handshake-reset' && previous?.reason === 'handshake-reset';
  if (isFailReason(code) || refused) {
    const problem: Problem<FailReason> = refused
      ? { reason: 'certificate-rejected', message: certificateRefusedByResets() }
      : { reason: code as FailReason, message: failure.message };
    return { next: { phase: { name: 'failed', problem }, wanted: state.wanted }, effects: ['end-viewers'] };
  }
  const problem: Problem<WaitReason> = { reason: code as WaitReason, message: failure.message };
  if (!state.wanted) return { next: { phase: { name: 'idle', last: problem }, wanted: false }, effects: [] };
  return { next: { phase: waiting(failures + 1, problem, at, config), wanted: true }, effects: [] };
}

function waiting(failures: number, problem: Problem<WaitReason>, at: number, config: LifecycleConfig): Phase {
  return { name: 'waiting', failures, retryAt: at + retryDelay(config, failures), problem };
}
