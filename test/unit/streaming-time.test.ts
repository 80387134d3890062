// Streaming time per camera: counted per local day while a camera streams, summed over the last 7
// days, written to the real settings store at most every `saveEveryMs` (and at close), and read
// back by a new meter over the reopened store (an app restart).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { DataStore } from '../../src/main/store/types.js';
import { StreamingTime } from '../../src/main/usage/streaming-time.js';
import { usageNotice } from '../../src/main/usage/battery.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streaming-time-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function meter(store: DataStore, clock: { now: Date }, streaming: string[]): Promise<StreamingTime> {
  return StreamingTime.start({
    store: {
      load: async () => (await store.read()).streamingTime ?? {},
      save: async (usage) => {
        await store.update((d) => { d.streamingTime = usage; });
      },
    },
    streaming: () => streaming,
    saveEveryMs: 60_000,
    now: () => clock.now,
  });
}

const advance = (clock: { now: Date }, ms: number): void => {
  clock.now = new Date(clock.now.getTime() + ms);
};

describe('streaming time', () => {
  it('counts streaming seconds per day, writes at most once a minute, and survives a restart', async () => {
    const clock = { now: new Date(2026, 5, 10, 12, 0, 0) };
    const store = await openDataStore(dir, { logger: silentLogger, passphrase: 'test passphrase' });
    const first = await meter(store, clock, ['CAM']);
    for (let i = 0; i < 30; i++) {
      advance(clock, 1000);
      await first.tick();
    }
    assert.equal(first.today('CAM'), 30);
    assert.equal((await store.read()).streamingTime, undefined, 'not written before a minute passed');
    for (let i = 0; i < 31; i++) {
      advance(clock, 1000);
      await first.tick();
    }
    assert.equal((await store.read()).streamingTime?.CAM?.['2026-06-10'], 60, 'written once the minute passed');
    advance(clock, 1000);
    await first.tick();
    await first.close();

    // Restart: a new store and meter over the same directory, the next day.
    const reopened = await openDataStore(dir, { logger: silentLogger, passphrase: 'test passphrase' });
    advance(clock, 24 * 3600 * 1000);
    const second = await meter(reopened, clock, ['CAM']);
    assert.equal(second.today('CAM'), 0);
    assert.ok(second.week('CAM') >= 62, `the week holds yesterday's ${second.week('CAM')} s`);
    advance(clock, 8 * 24 * 3600 * 1000);
    await second.close();
    const pruned = (await reopened.read()).streamingTime?.CAM ?? {};
    assert.deepEqual(Object.keys(pruned).filter((d) => d === '2026-06-10'), [], 'days older than a week are dropped');
  });

  it('runs a timer only while a camera streams, and saves what it counted when streaming stops', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const clock = { now: new Date(2026, 5, 12, 12, 0, 0) };
    const store = await openDataStore(dir, { logger: silentLogger, passphrase: 'test passphrase' });
    const streaming: string[] = [];
    const idle = timers();
    const time = await meter(store, clock, streaming);
    assert.equal(timers(), idle, 'no timer while nothing streams (a laptop may sleep)');
    streaming.push('CAM');
    time.changed();
    assert.equal(timers(), idle + 1, 'ticking while CAM streams');
    advance(clock, 1000);
    await time.tick();
    streaming.pop();
    await time.changed();
    assert.equal(timers(), idle, 'no timer once CAM stopped');
    assert.equal((await store.read()).streamingTime?.CAM?.['2026-06-12'], 1, 'written when streaming stopped');
    // Idle time between sessions is not counted.
    advance(clock, 30_000);
    streaming.push('CAM');
    time.changed();
    advance(clock, 1000);
    await time.tick();
    assert.equal(time.today('CAM'), 2);
    await time.close();
    assert.equal(timers(), idle);
  });

  it('warns a battery camera past the threshold and caps it past the cap', () => {
    assert.equal(usageNotice(5 * 60, { warnMinutes: 10, capMinutes: undefined }), undefined);
    assert.equal(usageNotice(11 * 60, { warnMinutes: 10, capMinutes: undefined })?.level, 'warning');
    const capped = usageNotice(21 * 60, { warnMinutes: 10, capMinutes: 20 });
    assert.equal(capped?.level, 'capped');
    assert.match(capped?.message ?? '', /new viewers are refused until tomorrow/);
  });
  it('the computer asleep is not streaming time: counted up to the suspend, and again from the resume', async () => {
    const clock = { now: new Date(2026, 5, 12, 9, 0, 0) };
    const store = await openDataStore(join(dir, 'sleep'), { logger: silentLogger, passphrase: 'test passphrase' });
    const meter_ = await meter(store, clock, ['CAM']);
    await meter_.changed();
    advance(clock, 5000);
    await meter_.suspend();
    assert.equal(meter_.today('CAM'), 5, 'counted until the suspend');
    // Asleep: timers do not run; the wall clock moves on, and a state change may still arrive.
    advance(clock, 40 * 60_000);
    await meter_.changed();
    await meter_.tick();
    assert.equal(meter_.today('CAM'), 5, 'nothing counted while asleep');
    await meter_.resume();
    advance(clock, 3000);
    await meter_.tick();
    assert.equal(meter_.today('CAM'), 8, 'counted again from the resume');
    await meter_.close();
    assert.equal((await store.read()).streamingTime?.CAM?.['2026-06-12'], 8);
  });
});
