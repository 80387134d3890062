// A viewer's backlog is what its socket could not send yet, whatever the fan-out batches into one
// write: a base station that sends one RTP packet per TLS record hands the hub dozens of reads in
// one event-loop turn, and a viewer that reads everything must not lose packets because that
// turn's batch alone is bigger than its queue limit. One that stops reading is still let go.
// The fan-out is driven directly (frames as the upstream reader hands them) onto real loopback
// sockets.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, it } from 'node:test';
import { FanOut, type FanOutLimits, type FanOutStats, type HubViewer } from '../../src/main/stream/fanout.js';
import type { UpstreamTrack } from '../../src/main/stream/upstream.js';

const QUEUE_LIMIT = 64 * 1024;
const PACKET_BYTES = 1_400;
/** One turn's frames: four times the queue limit. */
const FRAMES_PER_TURN = Math.ceil((4 * QUEUE_LIMIT) / PACKET_BYTES);

const limits: FanOutLimits = { cacheBytes: 0, viewerQueueBytes: QUEUE_LIMIT, viewerStallMs: 300, playWaitMs: 0 };
// A track without a video codec: the viewer starts at once, without waiting for a keyframe.
const track: UpstreamTrack = { index: 0, kind: 'audio', clockRate: 8_000, rtpChannel: 0 };

const opened: net.Socket[] = [];
const servers: net.Server[] = [];
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** A loopback connection: our end (written by the fan-out) and the viewer's end (read by the test). */
async function connection(): Promise<{ ours: net.Socket; theirs: net.Socket }> {
  const server = net.createServer();
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const theirs = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [ours] = await accepted;
  opened.push(ours, theirs);
  return { ours, theirs };
}

function viewerOn(socket: net.Socket, ended: string[]): HubViewer {
  return {
    socket,
    channelOf: (index) => (index === 0 ? 0 : undefined),
    begin: () => undefined,
    end: (reason) => ended.push(reason),
  };
}

let sequence = 0;
/** One interleaved frame in a buffer of its own, as a record-per-packet base station delivers it. */
function nextFrame(): { packet: Buffer; frame: Buffer } {
  const frame = Buffer.alloc(4 + PACKET_BYTES);
  frame[0] = 0x24;
  frame.writeUInt16BE(PACKET_BYTES, 2);
  const packet = frame.subarray(4);
  packet[0] = 0x80;
  packet.writeUInt16BE(sequence++ & 0xffff, 2);
  packet.writeUInt32BE(0x1234, 8);
  return { packet, frame };
}

function feedOneTurn(fanOut: FanOut): void {
  for (let i = 0; i < FRAMES_PER_TURN; i++) {
    const { packet, frame } = nextFrame();
    fanOut.frame(track, false, packet, frame);
  }
}

function started(): { fanOut: FanOut; stats: FanOutStats } {
  const stats: FanOutStats = { bytesIn: 0, bytesOut: 0, packetsDropped: 0 };
  const fanOut = new FanOut(limits, stats, () => undefined);
  fanOut.replaced([track]);
  return { fanOut, stats };
}

it('a viewer that reads everything loses nothing when one turn brings more than its queue limit', async () => {
  const { ours, theirs } = await connection();
  let received = 0;
  theirs.on('data', (chunk: Buffer) => (received += chunk.length));
  const ended: string[] = [];
  const { fanOut, stats } = started();
  fanOut.play(viewerOn(ours, ended));
  for (let turn = 1; turn <= 5; turn++) {
    feedOneTurn(fanOut);
    assert.equal(stats.packetsDropped, 0, `packets dropped in turn ${turn}`);
    while (received < stats.bytesOut) await once(theirs, 'data');
  }
  assert.deepEqual(ended, []);
  assert.equal(received, 5 * FRAMES_PER_TURN * (4 + PACKET_BYTES));
});

it('a viewer that stops reading loses packets and is let go after its stall limit', async () => {
  const { ours, theirs } = await connection();
  theirs.pause();
  const ended: string[] = [];
  const { fanOut, stats } = started();
  fanOut.play(viewerOn(ours, ended));
  // Bounded: at most this many turns (each several times the queue limit) to fill the kernel's
  // buffers and then stay stalled past the limit.
  for (let turn = 0; turn < 5_000 && ended.length === 0; turn++) {
    feedOneTurn(fanOut);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(ended.length, 1, 'the stalled viewer was let go');
  assert.match(ended[0]!, /stopped reading/);
  assert.ok(stats.packetsDropped > 0);
  assert.equal(fanOut.viewers, 0);
});
