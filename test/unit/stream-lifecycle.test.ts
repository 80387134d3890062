// Every (state, event) pair of the upstream lifecycle, pinned: the next phase, whether the stream
// is still wanted, and what the hub must do. The races that once needed fixes one by one are rows
// here: a viewer during the linger's TEARDOWN, close during opening, the last viewer leaving
// during the reconnect backoff, a lease during `waiting`.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transition, type Effect, type Lifecycle, type LifecycleEvent, type LifecycleEventType, type PhaseName } from '../../src/main/stream/lifecycle.js';

const config = { retryDelaysMs: [500, 1_000, 8_000] };
const AT = 1_000_000;
const busy = { reason: 'busy', message: 'another app is streaming this camera' } as const;
const silent = { reason: 'silent', message: 'no media for 10 s' } as const;
const reset = { reason: 'handshake-reset', message: 'cut during the handshake' } as const;

const STATES: Record<string, Lifecycle> = {
  idle: { phase: { name: 'idle' }, wanted: false },
  'opening+wanted': { phase: { name: 'opening', failures: 0 }, wanted: true },
  'opening+unwanted': { phase: { name: 'opening', failures: 0 }, wanted: false },
  'opening after a reset': { phase: { name: 'opening', failures: 1, problem: reset }, wanted: true },
  live: { phase: { name: 'live' }, wanted: true },
  lingering: { phase: { name: 'lingering' }, wanted: false },
  'closing+wanted': { phase: { name: 'closing', problem: silent }, wanted: true },
  'closing+unwanted': { phase: { name: 'closing' }, wanted: false },
  waiting: { phase: { name: 'waiting', failures: 2, retryAt: AT + 1_000, problem: busy }, wanted: true },
  failed: { phase: { name: 'failed', problem: { reason: 'certificate-rejected', message: 'enroll again' } }, wanted: false },
  stopped: { phase: { name: 'stopped' }, wanted: false },
};

const EVENTS: Record<string, LifecycleEvent> = {
  wanted: { type: 'wanted' },
  unwanted: { type: 'unwanted' },
  opened: { type: 'opened' },
  'open-failed(busy)': { type: 'open-failed', problem: busy, at: AT },
  'open-failed(certificate-rejected)': { type: 'open-failed', problem: { reason: 'certificate-rejected', message: 'alert' }, at: AT },
  'open-failed(handshake-reset)': { type: 'open-failed', problem: reset, at: AT },
  silent: { type: 'silent', message: 'no media for 10 s' },
  lost: { type: 'lost', message: 'closed the stream', at: AT },
  'linger-expired': { type: 'linger-expired' },
  'retry-due': { type: 'retry-due' },
  'teardown-done': { type: 'teardown-done' },
  close: { type: 'close' },
};

/** [state, event, next phase, wanted after, effects, extra check of the next phase]. */
type Row = [string, string, PhaseName, boolean, Effect[], ((next: Lifecycle) => void)?];

const same = (state: string): ((next: Lifecycle) => void) => (next) => assert.deepEqual(next, STATES[state]);
const waitingFor = (reason: string, failures: number, retryAt: number) => (next: Lifecycle) => {
  assert.equal(next.phase.name, 'waiting');
  if (next.phase.name !== 'waiting') return;
  assert.equal(next.phase.problem.reason, reason);
  assert.equal(next.phase.failures, failures);
  assert.equal(next.phase.retryAt, retryAt);
};
const lastProblem = (reason: string) => (next: Lifecycle) => {
  assert.ok(next.phase.name === 'idle' && next.phase.last?.reason === reason, `idle with last problem ${reason}`);
};
const failedWith = (reason: string) => (next: Lifecycle) => {
  assert.ok(next.phase.name === 'failed' && next.phase.problem.reason === reason, `failed with ${reason}`);
};

const TABLE: Row[] = [
  ['idle', 'wanted', 'opening', true, ['open']],
  ['idle', 'unwanted', 'idle', false, []],
  ['idle', 'opened', 'idle', false, ['discard']],
  ['idle', 'open-failed(busy)', 'idle', false, [], same('idle')],
  ['idle', 'open-failed(certificate-rejected)', 'idle', false, []],
  ['idle', 'open-failed(handshake-reset)', 'idle', false, []],
  ['idle', 'silent', 'idle', false, []],
  ['idle', 'lost', 'idle', false, []],
  ['idle', 'linger-expired', 'idle', false, []],
  ['idle', 'retry-due', 'idle', false, []],
  ['idle', 'teardown-done', 'idle', false, []],
  ['idle', 'close', 'stopped', false, []],

  ['opening+wanted', 'wanted', 'opening', true, []],
  ['opening+wanted', 'unwanted', 'opening', false, []],
  ['opening+wanted', 'opened', 'live', true, ['adopt']],
  ['opening+wanted', 'open-failed(busy)', 'waiting', true, [], waitingFor('busy', 1, AT + 500)],
  ['opening+wanted', 'open-failed(certificate-rejected)', 'failed', true, ['end-viewers'], failedWith('certificate-rejected')],
  ['opening+wanted', 'open-failed(handshake-reset)', 'waiting', true, [], waitingFor('handshake-reset', 1, AT + 500)],
  ['opening+wanted', 'silent', 'opening', true, []],
  ['opening+wanted', 'lost', 'opening', true, []],
  ['opening+wanted', 'linger-expired', 'opening', true, []],
  ['opening+wanted', 'retry-due', 'opening', true, []],
  ['opening+wanted', 'teardown-done', 'opening', true, []],
  // Close during opening: the session that arrives later is discarded (next rows of 'stopped').
  ['opening+wanted', 'close', 'stopped', false, []],

  ['opening+unwanted', 'wanted', 'opening', true, []],
  ['opening+unwanted', 'unwanted', 'opening', false, []],
  ['opening+unwanted', 'opened', 'lingering', false, ['adopt']],
  ['opening+unwanted', 'open-failed(busy)', 'idle', false, [], lastProblem('busy')],
  ['opening+unwanted', 'open-failed(certificate-rejected)', 'failed', false, ['end-viewers']],
  ['opening+unwanted', 'open-failed(handshake-reset)', 'idle', false, [], lastProblem('handshake-reset')],
  ['opening+unwanted', 'silent', 'opening', false, []],
  ['opening+unwanted', 'lost', 'opening', false, []],
  ['opening+unwanted', 'linger-expired', 'opening', false, []],
  ['opening+unwanted', 'retry-due', 'opening', false, []],
  ['opening+unwanted', 'teardown-done', 'opening', false, []],
  ['opening+unwanted', 'close', 'stopped', false, []],

  ['opening after a reset', 'wanted', 'opening', true, []],
  ['opening after a reset', 'unwanted', 'opening', false, []],
  ['opening after a reset', 'opened', 'live', true, ['adopt']],
  ['opening after a reset', 'open-failed(busy)', 'waiting', true, [], waitingFor('busy', 2, AT + 1_000)],
  ['opening after a reset', 'open-failed(certificate-rejected)', 'failed', true, ['end-viewers']],
  // The second reset during the handshake in a row is a refused certificate.
  ['opening after a reset', 'open-failed(handshake-reset)', 'failed', true, ['end-viewers'], failedWith('certificate-rejected')],
  ['opening after a reset', 'silent', 'opening', true, []],
  ['opening after a reset', 'lost', 'opening', true, []],
  ['opening after a reset', 'linger-expired', 'opening', true, []],
  ['opening after a reset', 'retry-due', 'opening', true, []],
  ['opening after a reset', 'teardown-done', 'opening', true, []],
  ['opening after a reset', 'close', 'stopped', false, []],

  ['live', 'wanted', 'live', true, []],
  ['live', 'unwanted', 'lingering', false, []],
  ['live', 'opened', 'live', true, ['discard']],
  ['live', 'open-failed(busy)', 'live', true, []],
  ['live', 'open-failed(certificate-rejected)', 'live', true, []],
  ['live', 'open-failed(handshake-reset)', 'live', true, []],
  ['live', 'silent', 'closing', true, ['teardown']],
  ['live', 'lost', 'waiting', true, [], waitingFor('lost', 1, AT + 500)],
  ['live', 'linger-expired', 'live', true, []],
  ['live', 'retry-due', 'live', true, []],
  ['live', 'teardown-done', 'live', true, []],
  ['live', 'close', 'stopped', false, ['teardown']],

  ['lingering', 'wanted', 'live', true, []],
  ['lingering', 'unwanted', 'lingering', false, []],
  ['lingering', 'opened', 'lingering', false, ['discard']],
  ['lingering', 'open-failed(busy)', 'lingering', false, []],
  ['lingering', 'open-failed(certificate-rejected)', 'lingering', false, []],
  ['lingering', 'open-failed(handshake-reset)', 'lingering', false, []],
  ['lingering', 'silent', 'closing', false, ['teardown']],
  ['lingering', 'lost', 'idle', false, [], lastProblem('lost')],
  ['lingering', 'linger-expired', 'closing', false, ['teardown']],
  ['lingering', 'retry-due', 'lingering', false, []],
  ['lingering', 'teardown-done', 'lingering', false, []],
  ['lingering', 'close', 'stopped', false, ['teardown']],

  ['closing+wanted', 'wanted', 'closing', true, []],
  ['closing+wanted', 'unwanted', 'closing', false, []],
  ['closing+wanted', 'opened', 'closing', true, ['discard']],
  ['closing+wanted', 'open-failed(busy)', 'closing', true, []],
  ['closing+wanted', 'open-failed(certificate-rejected)', 'closing', true, []],
  ['closing+wanted', 'open-failed(handshake-reset)', 'closing', true, []],
  ['closing+wanted', 'silent', 'closing', true, []],
  ['closing+wanted', 'lost', 'closing', true, []],
  ['closing+wanted', 'linger-expired', 'closing', true, []],
  ['closing+wanted', 'retry-due', 'closing', true, []],
  // The replaced (silent) session is closed: the new one opens only now, and shows why.
  ['closing+wanted', 'teardown-done', 'opening', true, ['open'], (next) => {
    assert.ok(next.phase.name === 'opening' && next.phase.problem?.reason === 'silent');
  }],
  ['closing+wanted', 'close', 'stopped', false, []],

  // A viewer during the linger's TEARDOWN: wanted again, and the new session opens after it.
  ['closing+unwanted', 'wanted', 'closing', true, []],
  ['closing+unwanted', 'unwanted', 'closing', false, []],
  ['closing+unwanted', 'opened', 'closing', false, ['discard']],
  ['closing+unwanted', 'open-failed(busy)', 'closing', false, []],
  ['closing+unwanted', 'open-failed(certificate-rejected)', 'closing', false, []],
  ['closing+unwanted', 'open-failed(handshake-reset)', 'closing', false, []],
  ['closing+unwanted', 'silent', 'closing', false, []],
  ['closing+unwanted', 'lost', 'closing', false, []],
  ['closing+unwanted', 'linger-expired', 'closing', false, []],
  ['closing+unwanted', 'retry-due', 'closing', false, []],
  ['closing+unwanted', 'teardown-done', 'idle', false, [], same('idle')],
  ['closing+unwanted', 'close', 'stopped', false, []],

  // A lease during the backoff waits for the scheduled attempt.
  ['waiting', 'wanted', 'waiting', true, [], same('waiting')],
  // The last viewer leaving during the backoff: no further attempt, the problem stays visible.
  ['waiting', 'unwanted', 'idle', false, [], lastProblem('busy')],
  ['waiting', 'opened', 'waiting', true, ['discard']],
  ['waiting', 'open-failed(busy)', 'waiting', true, [], same('waiting')],
  ['waiting', 'open-failed(certificate-rejected)', 'waiting', true, []],
  ['waiting', 'open-failed(handshake-reset)', 'waiting', true, []],
  ['waiting', 'silent', 'waiting', true, []],
  ['waiting', 'lost', 'waiting', true, []],
  ['waiting', 'linger-expired', 'waiting', true, []],
  ['waiting', 'retry-due', 'opening', true, ['open'], (next) => {
    assert.ok(next.phase.name === 'opening' && next.phase.failures === 2 && next.phase.problem?.reason === 'busy');
  }],
  ['waiting', 'teardown-done', 'waiting', true, []],
  ['waiting', 'close', 'stopped', false, []],

  ['failed', 'wanted', 'opening', true, ['open']],
  ['failed', 'unwanted', 'failed', false, []],
  ['failed', 'opened', 'failed', false, ['discard']],
  ['failed', 'open-failed(busy)', 'failed', false, []],
  ['failed', 'open-failed(certificate-rejected)', 'failed', false, []],
  ['failed', 'open-failed(handshake-reset)', 'failed', false, []],
  ['failed', 'silent', 'failed', false, []],
  ['failed', 'lost', 'failed', false, []],
  ['failed', 'linger-expired', 'failed', false, []],
  ['failed', 'retry-due', 'failed', false, []],
  ['failed', 'teardown-done', 'failed', false, []],
  ['failed', 'close', 'stopped', false, []],

  ['stopped', 'wanted', 'stopped', false, []],
  ['stopped', 'unwanted', 'stopped', false, []],
  // The attempt that was in flight when close() came: its session is torn down on arrival.
  ['stopped', 'opened', 'stopped', false, ['discard']],
  ['stopped', 'open-failed(busy)', 'stopped', false, []],
  ['stopped', 'open-failed(certificate-rejected)', 'stopped', false, []],
  ['stopped', 'open-failed(handshake-reset)', 'stopped', false, []],
  ['stopped', 'silent', 'stopped', false, []],
  ['stopped', 'lost', 'stopped', false, []],
  ['stopped', 'linger-expired', 'stopped', false, []],
  ['stopped', 'retry-due', 'stopped', false, []],
  ['stopped', 'teardown-done', 'stopped', false, []],
  ['stopped', 'close', 'stopped', false, []],
];

describe('upstream lifecycle', () => {
  it('has a row for every (state, event) pair', () => {
    const seen = new Set(TABLE.map(([state, event]) => `${state} × ${event}`));
    const missing = Object.keys(STATES).flatMap((s) => Object.keys(EVENTS).map((e) => `${s} × ${e}`)).filter((pair) => !seen.has(pair));
    assert.deepEqual(missing, []);
    assert.equal(seen.size, TABLE.length, 'no pair twice');
    const types = new Set(Object.values(EVENTS).map((e) => e.type));
    const all: LifecycleEventType[] = ['wanted', 'unwanted', 'opened', 'open-failed', 'silent', 'lost', 'linger-expired', 'retry-due', 'teardown-done', 'close'];
    assert.deepEqual([...types].sort(), [...all].sort());
  });

  for (const [state, event, phase, wanted, effects, check] of TABLE) {
    it(`${state} × ${event} → ${phase}${effects.length ? ` [${effects.join(', ')}]` : ''}`, () => {
      const before = structuredClone(STATES[state]!);
      const { next, effects: done } = transition(STATES[state]!, EVENTS[event]!, config);
      assert.equal(next.phase.name, phase);
      assert.equal(next.wanted, wanted);
      assert.deepEqual(done, effects);
      check?.(next);
      assert.deepEqual(STATES[state], before, 'the function is pure');
    });
  }

  it('backs off along the delays and repeats the last one', () => {
    let state: Lifecycle = { phase: { name: 'idle' }, wanted: false };
    state = transition(state, { type: 'wanted' }, config).next;
    const retries: number[] = [];
    for (let i = 0; i < 5; i++) {
      state = transition(state, { type: 'open-failed', problem: busy, at: AT }, config).next;
      assert.equal(state.phase.name, 'waiting');
      if (state.phase.name === 'waiting') retries.push(state.phase.retryAt - AT);
      state = transition(state, { type: 'retry-due' }, config).next;
    }
    assert.deepEqual(retries, [500, 1_000, 8_000, 8_000, 8_000]);
    // A success resets the count: the next failure waits the shortest delay again.
    state = transition(state, { type: 'opened' }, config).next;
    state = transition(state, { type: 'lost', message: 'gone', at: AT }, config).next;
    assert.ok(state.phase.name === 'waiting' && state.phase.retryAt === AT + 500);
  });
});
