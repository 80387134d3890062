// Hostile clients on a camera's downstream port while a real viewer watches: garbage, an endless
// header line, a slow-loris request, 500 connections opened and abandoned, `$` frames of wrong
// lengths. Each hostile connection must be answered and closed (or timed out), the watching viewer
// must keep its picture rate, and this process's memory must stay within a stated bound.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseRtpHeader } from '../../src/main/rtsp/rtp.js';
import { TestRtspClient } from './sim-client.js';
import { startRig, type Rig } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const FPS = 15;
/** Short so the suite stays fast; the product default is REQUEST_TIMEOUT_MS (10 s). */
const REQUEST_TIMEOUT_MS = 1_500;
/** Growth of RSS allowed over the whole suite (the viewer's copied frames are dropped per window). */
const RSS_BOUND = 64 * 1024 * 1024;
const HEAP_BOUND = 32 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Hostile {
  socket: net.Socket;
  received: () => string;
  /** Resolves with the ms from connect to the server closing the connection. */
  closed: Promise<number>;
  isClosed(): boolean;
}

function connectHostile(port: number): Promise<Hostile> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let start = 0;
    let isClosed = false;
    const closed = new Promise<number>((done) => socket.once('close', () => {
      isClosed = true;
      done(Date.now() - start);
    }));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.once('connect', () => {
      start = Date.now();
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed, isClosed: () => isClosed });
    });
    socket.once('error', reject);
  });
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('hostile input on the downstream port', () => {
  let rig: Rig;
  let url: string;
  let port: number;
  let viewer: TestRtspClient;
  let baseline = 0;
  let memoryBefore: NodeJS.MemoryUsage;
  const hostiles: net.Socket[] = [];

  /** A raw connection to the camera's port, destroyed after the suite. */
  async function hostileClient(): Promise<Hostile> {
    const hostile = await connectHostile(port);
    hostiles.push(hostile.socket);
    return hostile;
  }

  /** Video pictures per second the watching viewer receives while `attack` runs (at least `ms`). */
  async function rateDuring(attack: () => Promise<void>, ms = 2_000): Promise<number> {
    viewer.frames.length = 0; // Copies of every packet: drop them so memory measures the engine.
    const started = Date.now();
    await Promise.all([attack(), sleep(ms)]);
    const seconds = (Date.now() - started) / 1000;
    const timestamps = new Set(viewer.frames.filter((f) => f.channel === 0).map((f) => parseRtpHeader(f.payload)?.timestamp));
    return timestamps.size / seconds;
  }

  function assertKeepsRate(rate: number, attack: string): void {
    assert.ok(rate >= baseline * 0.85 && rate >= FPS * 0.8, `${attack}: viewer got ${rate.toFixed(1)} pictures/s, ${baseline.toFixed(1)} before`);
  }

  before(async () => {
    rig = await startRig({
      cameras: [{ deviceId: 'CAM', codecs: ['avc'] }],
      station: { source: { synthetic: { bitrate: 2_000_000, fps: FPS } } },
    });
    ({ url, port } = await rig.endpoint('CAM', { requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    viewer = await TestRtspClient.connectPlain(port);
    await viewer.play(url);
    await viewer.waitForFrames(50);
    memoryBefore = process.memoryUsage();
    baseline = await rateDuring(async () => {});
    assert.ok(baseline >= FPS * 0.8, `baseline ${baseline} pictures/s`);
  });

  after(async () => {
    for (const socket of hostiles) socket.destroy();
    viewer?.close();
    await rig?.close();
  });

  it('answers garbage bytes with 400 and closes the connection', async () => {
    const rate = await rateDuring(async () => {
      const hostile = await hostileClient();
      const junk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
      hostile.socket.write(junk);
      await within(hostile.closed, 2_000, 'closing the garbage connection');
      assert.match(hostile.received(), /^RTSP\/1\.0 400 /);
    });
    assertKeepsRate(rate, 'garbage');
  });

  it('answers an endless header line with 431 and closes the connection', async () => {
    const rate = await rateDuring(async () => {
      const hostile = await hostileClient();
      hostile.socket.write(`OPTIONS ${url} RTSP/1.0\r\nCSeq: 1\r\nX-Endless: `);
      const line = Buffer.alloc(4096, 'a');
      // Up to 4 MB, far past the 16 KB header limit, unless the server hangs up first.
      for (let sent = 0; !hostile.isClosed() && sent < 4 * 1024 * 1024; sent += line.length) {
        if (!hostile.socket.write(line)) await sleep(5);
      }
      await within(hostile.closed, 2_000, 'closing the endless-header connection');
      assert.match(hostile.received(), /^RTSP\/1\.0 431 /);
    });
    assertKeepsRate(rate, 'endless header');
  });

  it('times out a slow-loris client sending one byte per 100 ms', async () => {
    const rate = await rateDuring(async () => {
      const hostile = await hostileClient();
      const request = Buffer.from(`OPTIONS ${url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: ${'s'.repeat(100)}\r\n\r\n`);
      const drip = (async () => {
        for (let i = 0; i < request.length && !hostile.isClosed(); i++) {
          hostile.socket.write(request.subarray(i, i + 1));
          await sleep(100);
        }
      })();
      const ms = await within(hostile.closed, REQUEST_TIMEOUT_MS + 2_000, 'timing out the slow-loris connection');
      await drip;
      assert.ok(ms >= REQUEST_TIMEOUT_MS - 100, `closed after ${ms} ms, before the request timeout`);
      assert.equal(hostile.received(), '', 'nothing answered to an incomplete request');
    }, 3_000);
    assertKeepsRate(rate, 'slow loris');
  });

  it('sheds 500 connections opened and abandoned, then serves a new viewer', async () => {
    const rate = await rateDuring(async () => {
      const opened = await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const hostile = await hostileClient();
          // Some say nothing, some start a request and stop: both are abandoned, never closed by us.
          if (i % 2 === 1) hostile.socket.write('DESCRIBE rtsp://127.0.0.1/CAM RTSP/1.0\r\nCSe');
          return hostile;
        }),
      );
      const times = await within(Promise.all(opened.map((h) => h.closed)), REQUEST_TIMEOUT_MS + 3_000, 'closing 500 abandoned connections');
      assert.ok(Math.max(...times) < REQUEST_TIMEOUT_MS + 2_500, `last abandoned connection closed after ${Math.max(...times)} ms`);
    }, 3_000);
    assertKeepsRate(rate, '500 abandoned connections');

    const fresh = await TestRtspClient.connectPlain(port);
    try {
      await fresh.play(url);
      await fresh.waitForFrames(20);
    } finally {
      fresh.close();
    }
    assert.equal(rig.manager.runtime('CAM')?.upstreamSessions, 1, 'the watching viewer never lost its stream');
  });

  it('closes clients that send `$` frames of wrong lengths', async () => {
    const rate = await rateDuring(async () => {
      // Declares 65535 bytes, sends 10, holds: timed out like any incomplete request.
      const short = await hostileClient();
      short.socket.write(Buffer.concat([Buffer.from([0x24, 0x00, 0xff, 0xff]), Buffer.alloc(10, 0x80)]));
      // Declares 2 bytes, sends 300, then a request: the overhang is garbage, answered 400.
      const long = await hostileClient();
      long.socket.write(Buffer.concat([
        Buffer.from([0x24, 0x01, 0x00, 0x02]),
        Buffer.alloc(300, 0x81),
        Buffer.from(`OPTIONS ${url} RTSP/1.0\r\nCSeq: 2\r\n\r\n`),
      ]));
      // Zero-length frames between valid requests are harmless; the client stays connected and answered.
      const zero = await TestRtspClient.connectPlain(port);
      try {
        zero.socket.write(Buffer.from([0x24, 0x00, 0x00, 0x00, 0x24, 0x01, 0x00, 0x00]));
        const options = await zero.request('OPTIONS', url);
        assert.equal(options.status, 200);
      } finally {
        zero.close();
      }
      await within(long.closed, 2_000, 'closing the overlong-frame connection');
      assert.match(long.received(), /^RTSP\/1\.0 400 /);
      const ms = await within(short.closed, REQUEST_TIMEOUT_MS + 2_000, 'timing out the truncated-frame connection');
      assert.ok(ms >= REQUEST_TIMEOUT_MS - 100, `closed after ${ms} ms`);
    });
    assertKeepsRate(rate, '$ frames of wrong lengths');
  });

  it('kept memory bounded and the viewer connected through every attack', async () => {
    await waitFor(() => rig.manager.runtime('CAM')?.viewers === 1, 2_000, 'only the watching viewer to remain');
    const now = process.memoryUsage();
    const rss = now.rss - memoryBefore.rss;
    const heap = now.heapUsed - memoryBefore.heapUsed;
    assert.ok(rss < RSS_BOUND, `RSS grew by ${(rss / 2 ** 20).toFixed(1)} MB`);
    assert.ok(heap < HEAP_BOUND, `heap grew by ${(heap / 2 ** 20).toFixed(1)} MB`);
    assert.equal(rig.station.stats.nonceViolations, 0);
  });
});
