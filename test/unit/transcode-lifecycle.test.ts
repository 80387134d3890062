// Every (state, event) pair of a derived stream's ffmpeg lifecycle that matters, pinned: the next
// phase, whether it is wanted, and what the transcoder must do. Races are rows: the last viewer
// leaving while ffmpeg starts, a viewer coming back while it is being stopped, an exit during the
// restart backoff. And the sub-stream's size: aspect kept, even sides, never wider than the camera.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transcodeTransition, type TranscodeEvent, type TranscodeLifecycle } from '../../src/main/transcode/lifecycle.js';
import { subStreamSize } from '../../src/shared/streams.js';

const AT = 1_000_000;
const S: Record<string, TranscodeLifecycle> = {
  idle: { phase: { name: 'idle' }, wanted: false },
  starting: { phase: { name: 'starting', failures: 0 }, wanted: true },
  'starting after 2 failures': { phase: { name: 'starting', failures: 2 }, wanted: true },
  running: { phase: { name: 'running' }, wanted: true },
  'stopping+unwanted': { phase: { name: 'stopping', failures: 0 }, wanted: false },
  'stopping+wanted': { phase: { name: 'stopping', failures: 0 }, wanted: true },
  restarting: { phase: { name: 'restarting', failures: 1, retryAt: AT + 1_000, message: 'ffmpeg stopped' }, wanted: true },
  failed: { phase: { name: 'failed', message: 'no encoder' }, wanted: false },
  closed: { phase: { name: 'closed' }, wanted: false },
};
const E: Record<string, TranscodeEvent> = {
  wanted: { type: 'wanted' },
  unwanted: { type: 'unwanted' },
  announced: { type: 'announced' },
  exited: { type: 'exited', message: 'ffmpeg stopped (exit 1)', at: AT },
  'retry-due': { type: 'retry-due' },
  unavailable: { type: 'unavailable', message: 'no encoder' },
  close: { type: 'close' },
};

/** [state, event, next phase, wanted after, effects]. */
const TABLE: [string, string, string, boolean, string[]][] = [
  ['idle', 'wanted', 'starting', true, ['spawn']],
  ['idle', 'unwanted', 'idle', false, []],
  ['idle', 'exited', 'idle', false, []],
  ['starting', 'announced', 'running', true, ['settle']],
  ['starting', 'unwanted', 'stopping', false, ['kill']],
  ['starting', 'exited', 'restarting', true, []],
  ['starting', 'wanted', 'starting', true, []],
  ['starting after 2 failures', 'exited', 'restarting', true, []],
  ['running', 'exited', 'restarting', true, []],
  ['running', 'unwanted', 'stopping', false, ['kill']],
  ['running', 'announced', 'running', true, []],
  ['stopping+unwanted', 'exited', 'idle', false, []],
  ['stopping+unwanted', 'wanted', 'stopping', true, []],
  ['stopping+wanted', 'exited', 'starting', true, ['spawn']],
  ['restarting', 'retry-due', 'starting', true, ['spawn']],
  ['restarting', 'unwanted', 'idle', false, []],
  ['restarting', 'exited', 'restarting', true, []],
  ['failed', 'wanted', 'starting', true, ['spawn']],
  ['running', 'unavailable', 'failed', true, ['kill', 'settle', 'end-viewers']],
  ['running', 'close', 'closed', false, ['kill', 'end-viewers', 'settle']],
  ['closed', 'wanted', 'closed', false, []],
];

describe('transcoder lifecycle', () => {
  for (const [state, event, phase, wanted, effects] of TABLE) {
    it(`${state} + ${event} → ${phase}`, () => {
      const { next, effects: done } = transcodeTransition(S[state]!, E[event]!);
      assert.equal(next.phase.name, phase);
      assert.equal(next.wanted, wanted);
      assert.deepEqual(done, effects);
    });
  }

  it('backs off longer after each failure in a row, from the exit', () => {
    const first = transcodeTransition(S.starting!, E.exited!).next.phase;
    const third = transcodeTransition(S['starting after 2 failures']!, E.exited!).next.phase;
    assert.ok(first.name === 'restarting' && third.name === 'restarting');
    assert.equal(first.retryAt, AT + 1_000);
    assert.equal(third.retryAt, AT + 5_000);
  });
});

describe('sub-stream size', () => {
  it('keeps the aspect with even sides, never wider than the camera', () => {
    assert.deepEqual(subStreamSize(640, { width: 1280, height: 720 }), { width: 640, height: 360 });
    assert.deepEqual(subStreamSize(640, { width: 2560, height: 1440 }), { width: 640, height: 360 });
    assert.deepEqual(subStreamSize(500, { width: 1440, height: 1080 }), { width: 500, height: 376 });
    assert.deepEqual(subStreamSize(1920, { width: 1280, height: 720 }), { width: 1280, height: 720 });
    assert.deepEqual(subStreamSize(640, undefined), { width: 640, height: 360 });
  });
});
