// The desktop live-view binding with fakes of ipcMain, a page's webContents, MessagePortMains and
// the camera media: how far behind the page is (the hub's measure of a slow viewer) comes from
// its acknowledgements; each way a view ends releases the camera once; errors reach the page.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { bindLivePorts, type LiveInvokeEventLike, type LivePortLike } from '../../src/main/electron/live-port.js';
import { AppError } from '../../src/main/errors.js';
import type { CameraMedia } from '../../src/main/live/media.js';
import type { LiveSink } from '../../src/main/live/watch.js';
import { silentLogger } from '../../src/main/log.js';
import { IPC_LIVE_CHANNEL, IPC_LIVE_PORT_CHANNEL, type ApiResult } from '../../src/shared/bridge.js';
import { LIVE_PORT_MESSAGE } from '../../src/shared/live.js';

const INDEX = 'file:///opt/app/dist/renderer/index.html';
const FORMAT = { width: 640, height: 360, codec: 'avc1.64001e', mime: 'video/mp4; codecs="avc1.64001e"', hevc: false, audio: false };

class FakePort extends EventEmitter implements LivePortLike {
  readonly posted: unknown[] = [];
  started = false;
  closed = false;
  start(): void {
    this.started = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  postMessage(message: unknown): void {
    if (!this.closed) this.posted.push(message);
  }
  /** The page posting on its end. */
  fromPage(data: unknown): void {
    this.emit('message', { data, ports: [] });
  }
}

function rig(watch: (sink: LiveSink) => Promise<() => void>) {
  let handler: ((event: LiveInvokeEventLike<FakePort>, ...args: unknown[]) => Promise<unknown>) | undefined;
  const ports: FakePort[] = [];
  const media: CameraMedia = {
    watchLive: (_deviceId, sink) => watch(sink),
    snapshot: () => Promise.reject(new Error('not used')),
  };
  const live = bindLivePorts<FakePort>({
    ipcMain: { handle: (channel, listener) => (assert.equal(channel, IPC_LIVE_CHANNEL), (handler = listener)) },
    createChannel: () => {
      const pair = { port1: new FakePort(), port2: new FakePort() };
      ports.push(pair.port1);
      return pair;
    },
    media,
    isTrustedUrl: (url) => url === INDEX,
    logger: silentLogger,
  });
  const page = Object.assign(new EventEmitter(), {
    received: [] as { channel: string; message: unknown; transfer: FakePort[] }[],
    postMessage(channel: string, message: unknown, transfer: FakePort[]) {
      this.received.push({ channel, message, transfer });
    },
  });
  const open = (request: unknown, url = INDEX) => handler!({ sender: page, senderFrame: { url, parent: null } }, request) as Promise<ApiResult>;
  return { live, page, ports, open };
}

/** A media that hands out its sink and counts how often the view was released. */
function capturing() {
  const state: { sink?: LiveSink; released: number } = { released: 0 };
  const watch = async (sink: LiveSink) => {
    state.sink = sink;
    sink.format(FORMAT);
    return () => void state.released++;
  };
  return { state, watch };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('desktop live ports', () => {
  it("posts the page its port with the request's id, and measures the page's lag by its acknowledgements", async () => {
    const { state, watch } = capturing();
    const { page, ports, open } = rig(watch);
    assert.deepEqual(await open({ id: 'v1', deviceId: 'cam', audio: false }), { ok: true, value: undefined });
    await settle();
    assert.equal(page.received.length, 1);
    assert.equal(page.received[0]!.channel, IPC_LIVE_PORT_CHANNEL);
    assert.deepEqual(page.received[0]!.message, { [LIVE_PORT_MESSAGE]: 'v1' });
    const port = ports[0]!;
    assert.ok(port.started, 'our end started (a MessagePortMain queues until then)');
    const sink = state.sink!;
    assert.deepEqual(port.posted[0], { type: 'format', format: FORMAT });

    const big = new Uint8Array(1000);
    sink.data(big.subarray(100, 400));
    sink.data(new Uint8Array(200));
    assert.equal(sink.queued(), 500, 'nothing acknowledged yet: all of it is behind');
    const sent = port.posted[1] as Uint8Array;
    assert.equal(sent.buffer.byteLength, 300, 'a piece goes in a buffer of its own (a clone copies the whole buffer)');
    port.fromPage({ type: 'ack', bytes: 300 });
    assert.equal(sink.queued(), 200);
    port.fromPage({ type: 'ack', bytes: 100 });
    assert.equal(sink.queued(), 200, 'an older acknowledgement changes nothing');
    port.fromPage({ type: 'ack', bytes: 10_000 });
    assert.equal(sink.queued(), 0, 'no more acknowledged than sent');
    port.fromPage({ type: 'ack', bytes: 'lots' });
    port.fromPage('hello');
    assert.equal(sink.queued(), 0);
    assert.equal(state.released, 0);
  });

  it('releases the camera once, whichever way the view ends', async () => {
    for (const end of ['page closes', 'window hidden', 'page destroyed', 'hub ends it'] as const) {
      const { state, watch } = capturing();
      const { live, page, ports, open } = rig(watch);
      await open({ id: 'v', deviceId: 'cam', audio: true });
      await settle();
      const port = ports[0]!;
      if (end === 'page closes') port.close();
      else if (end === 'window hidden') live.endAll(page, 'hidden');
      else if (end === 'page destroyed') page.emit('destroyed');
      else state.sink!.end('stopped reading for 15 s');
      port.close();
      live.endAll(page, 'again');
      assert.equal(state.released, 1, end);
      assert.ok(port.closed, end);
      if (end !== 'page closes') assert.equal((port.posted.at(-1) as { type: string }).type, 'end', end);
    }
  });

  it('tells the page why a view cannot start, then closes its port', async () => {
    const { page, ports, open } = rig(() => Promise.reject(new AppError('refused', 'Daily cap reached: come back tomorrow.')));
    await open({ id: 'v', deviceId: 'cam', audio: false });
    await settle();
    assert.equal(page.received.length, 1);
    assert.deepEqual(ports[0]!.posted, [{ type: 'error', error: { code: 'refused', message: 'Daily cap reached: come back tomorrow.' } }]);
    assert.ok(ports[0]!.closed);
  });

  it('starts nothing when the page is gone before its port can be posted', async () => {
    let watched = 0;
    const { page, ports, open } = rig(async () => {
      watched++;
      return () => undefined;
    });
    page.postMessage = () => {
      throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    };
    const result = await open({ id: 'v', deviceId: 'cam', audio: false });
    assert.equal(!result.ok && result.error.code, 'page-gone');
    assert.ok(ports[0]!.closed);
    assert.equal(watched, 0, 'the camera was not woken');
  });

  it('refuses other frames and malformed requests without making a port', async () => {
    const { page, ports, open } = rig(capturing().watch);
    assert.equal(((await open({ id: 'v', deviceId: 'cam', audio: false }, 'https://example.invalid/')) as { error: { code: string } }).error.code, 'forbidden');
    for (const request of [undefined, { id: '', deviceId: 'cam', audio: false }, { id: 'v', deviceId: 'cam' }, { id: 'v', deviceId: 3, audio: false }]) {
      assert.equal(((await open(request)) as { error: { code: string } }).error.code, 'bad-request', JSON.stringify(request));
    }
    assert.equal(ports.length, 0);
    assert.equal(page.received.length, 0);
  });
});
