// The sleep rule of the desktop shell (src/main/electron/sleep.ts): every state and event.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { sleepTransition, watchSleep } from '../../src/main/electron/sleep.js';

describe('sleep and wake', () => {
  it('table: suspend puts an awake computer to sleep; resume or an unlock wakes it once', () => {
    assert.deepEqual(sleepTransition('awake', 'suspend'), { state: 'asleep', action: 'fell-asleep' });
    assert.deepEqual(sleepTransition('asleep', 'suspend'), { state: 'asleep', action: undefined });
    assert.deepEqual(sleepTransition('asleep', 'resume'), { state: 'awake', action: 'woke' });
    assert.deepEqual(sleepTransition('asleep', 'unlock-screen'), { state: 'awake', action: 'woke' });
    assert.deepEqual(sleepTransition('awake', 'resume'), { state: 'awake', action: undefined });
    assert.deepEqual(sleepTransition('awake', 'unlock-screen'), { state: 'awake', action: undefined });
  });

  it('a resume followed by the unlock wakes the app once; an unlock alone does nothing', () => {
    const monitor = new EventEmitter();
    const seen: string[] = [];
    watchSleep(monitor, { asleep: () => seen.push('asleep'), awake: () => seen.push('awake') });
    monitor.emit('unlock-screen');
    monitor.emit('suspend');
    monitor.emit('resume');
    monitor.emit('unlock-screen');
    assert.deepEqual(seen, ['asleep', 'awake']);
  });
});
