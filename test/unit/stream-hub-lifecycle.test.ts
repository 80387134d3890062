// The hub carrying out its lifecycle with a stand-in upstream: a viewer arriving while the
// lingered session's TEARDOWN is in flight (one stream per camera: the new session opens only
// after), close() during the linger's TEARDOWN and during opening, and the last viewer leaving
// during the backoff.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { CameraHub } from '../../src/main/stream/hub.js';
import { StreamError } from '../../src/main/stream/errors.js';
import type { UpstreamSession } from '../../src/main/stream/upstream.js';

interface FakeUpstream {
  session: UpstreamSession;
  closed: boolean;
  /** Resolves when the hub starts the TEARDOWN (calls `close()`). */
  closing: Promise<void>;
  /** Lets the pending TEARDOWN finish. */
  finishClose(): void;
}

function fakeUpstream(): FakeUpstream {
  let finish: () => void = () => undefined;
  let started: () => void = () => undefined;
  const fake: FakeUpstream = {
    closed: false,
    closing: new Promise<void>((resolve) => (started = resolve)),
    finishClose: () => finish(),
    session: {
      sdpText: 'v=0\r\n',
      tracks: [{ index: 0, kind: 'audio', clockRate: 8000, rtpChannel: 0 }],
      close: () =>
        new Promise<void>((resolve) => {
          started();
          finish = () => {
            fake.closed = true;
            resolve();
          };
        }),
    } as unknown as UpstreamSession,
  };
  return fake;
}

/** Runs every promise job already queued (no timer involved): what the hub would do at once, it has done. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** The hub's `onChange`, and a way to wait until a condition holds after some change. */
function changes(): { onChange: () => void; until: (condition: () => boolean) => Promise<void> } {
  const waiting = new Set<() => void>();
  return {
    onChange: () => {
      for (const check of [...waiting]) check();
    },
    until: (condition) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!condition()) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      }),
  };
}

describe('camera hub lifecycle', () => {
  it('opens a new viewer\'s session only after the lingered one is torn down, and shows it as media', async () => {
    const upstreams: FakeUpstream[] = [];
    const openedWhileOldOpen: boolean[] = [];
    const { onChange, until } = changes();
    const hub = new CameraHub({
      logger: silentLogger,
      lingerMs: 10,
      onChange,
      open: () => {
        openedWhileOldOpen.push(upstreams.some((u) => !u.closed));
        const upstream = fakeUpstream();
        upstreams.push(upstream);
        return Promise.resolve(upstream.session);
      },
    });

    hub.acquire();
    await hub.describe();
    hub.release();
    await upstreams[0]!.closing; // the linger has fired; its TEARDOWN is not answered yet
    assert.equal(upstreams.length, 1);

    hub.acquire();
    const described = hub.describe();
    await settled();
    assert.equal(upstreams.length, 1, 'no new session while the TEARDOWN is in flight');
    upstreams[0]!.finishClose();
    await described;
    await until(() => hub.state === 'media');

    assert.equal(upstreams.length, 2);
    assert.deepEqual(openedWhileOldOpen, [false, false], 'no second session while the first was still open');
    assert.equal(hub.state, 'media', 'the live session\'s state, not the torn-down one\'s "idle"');

    hub.release();
    const closing = hub.close();
    await upstreams[1]!.closing;
    upstreams[1]!.finishClose();
    await closing;
  });

  it('close() returns only once a lingered session\'s TEARDOWN is done, so a restarted camera cannot overlap it', async () => {
    const upstream = fakeUpstream();
    const hub = new CameraHub({ logger: silentLogger, lingerMs: 10, onChange: () => undefined, open: () => Promise.resolve(upstream.session) });
    hub.acquire();
    await hub.describe();
    hub.release();
    await upstream.closing; // the linger has fired; its TEARDOWN is not answered yet
    let closed = false;
    const closing = hub.close().then(() => (closed = true));
    await settled();
    assert.equal(closed, false);
    upstream.finishClose();
    await closing;
    assert.equal(upstream.closed, true);
  });

  it('close() during opening waits for the attempt and tears down the session it delivers', async () => {
    const upstream = fakeUpstream();
    let deliver: () => void = () => undefined;
    const hub = new CameraHub({
      logger: silentLogger,
      lingerMs: 10,
      onChange: () => undefined,
      open: () => new Promise<UpstreamSession>((resolve) => (deliver = () => resolve(upstream.session))),
    });
    hub.acquire();
    const described = hub.describe().then(() => 'described', (error: Error) => error.message);
    let closed = false;
    const closing = hub.close().then(() => (closed = true));
    assert.equal(await described, 'this camera is stopped');
    deliver(); // the base station answers PLAY after all
    await upstream.closing;
    await settled();
    assert.equal(closed, false, 'close waits for the TEARDOWN of the late session');
    upstream.finishClose();
    await closing;
    assert.equal(upstream.closed, true);
    assert.equal(hub.state, 'idle');
  });

  it('the last viewer leaving during the backoff ends the attempts and keeps the problem on show', async () => {
    let attempts = 0;
    const { onChange, until } = changes();
    const hub = new CameraHub({
      logger: silentLogger,
      lingerMs: 10,
      onChange,
      limits: { retryDelaysMs: [30] },
      open: () => {
        attempts++;
        return Promise.reject(new StreamError('busy', 'another app is streaming this camera'));
      },
    });
    hub.acquire();
    const described = hub.describe().then(() => 'described', (error: Error) => error.message);
    await until(() => hub.status().state === 'waiting');
    assert.equal(hub.status().waitReason, 'busy');
    hub.release();
    assert.equal(await described, 'another app is streaming this camera');
    assert.equal(hub.status().state, 'idle', 'idle: no retry is due any more');
    // Not synchronization but the window in which a retry would show: several retry delays.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(attempts, 1);
    assert.deepEqual(hub.status(), { state: 'idle', error: 'another app is streaming this camera' });
    await hub.close();
  });
});
