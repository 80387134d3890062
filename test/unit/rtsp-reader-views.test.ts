// The reader's media path copies only what it must: a frame split across two chunks is rebuilt from
// its own bytes, the rest of the completing chunk stays a view, and every frame's header sits right
// before its payload (frameBytes), so a relay can forward frames as received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameHeader, makeResponse, serializeMessage } from '../../src/main/rtsp/message.js';
import { RtspReader, frameBytes, type RtspItem } from '../../src/main/rtsp/reader.js';

function frame(channel: number, length: number, fill: number): Buffer {
  return Buffer.concat([frameHeader(channel, length), Buffer.alloc(length, fill)]);
}

/** A chunk with memory of its own (Buffer.from would share Node's pool with other small buffers). */
function own(bytes: Buffer): Buffer {
  const chunk = Buffer.alloc(bytes.length);
  bytes.copy(chunk);
  return chunk;
}

function drain(reader: RtspReader): RtspItem[] {
  const items: RtspItem[] = [];
  for (let item = reader.read(); item; item = reader.read()) items.push(item);
  return items;
}

test('a frame split across chunks is completed from the next chunk alone; what follows stays a view of it', () => {
  const frames = [frame(0, 1400, 1), frame(0, 1400, 2), frame(1, 60, 3), frame(0, 1400, 4)];
  const stream = Buffer.concat(frames);
  const cut = 700; // inside the first frame's payload
  const first = own(stream.subarray(0, cut));
  const second = own(stream.subarray(cut));
  const reader = new RtspReader();

  reader.push(first);
  assert.deepEqual(drain(reader), []);
  assert.equal(reader.buffered, cut);
  reader.push(second);
  assert.equal(reader.buffered, stream.length);
  const items = drain(reader);
  assert.equal(reader.buffered, 0);

  assert.deepEqual(items.map((i) => (i.kind === 'frame' ? [i.channel, i.payload[0], i.payload.length] : i.kind)), [
    [0, 1, 1400], [0, 2, 1400], [1, 3, 60], [0, 4, 1400],
  ]);
  const [spanning, ...after] = items.map((i) => (i.kind === 'frame' ? i : assert.fail(i.kind)));
  assert.notEqual(spanning!.payload.buffer, second.buffer);
  for (const item of after) assert.equal(item.payload.buffer, second.buffer, 'a view into the pushed chunk, not a copy');
  items.forEach((item, i) => assert.ok(item.kind === 'frame' && frameBytes(item).equals(frames[i]!), `frame ${i} as received`));
});

test('a frame split inside its 4-byte header, and a message after a split frame, still read exactly', () => {
  const response = serializeMessage(makeResponse(200, { CSeq: 3, Nonce: '12345' }));
  const stream = Buffer.concat([frame(0, 500, 7), frame(2, 300, 8), response, frame(0, 10, 9)]);
  for (const cut of [1, 3, 4, 5, 503, 505, 900, stream.length - 5]) {
    const reader = new RtspReader();
    const items: RtspItem[] = [];
    for (const chunk of [stream.subarray(0, cut), stream.subarray(cut)]) {
      reader.push(own(chunk));
      items.push(...drain(reader));
    }
    assert.deepEqual(items.map((i) => i.kind), ['frame', 'frame', 'response', 'frame'], `cut at ${cut}`);
    const frames = items.filter((i) => i.kind === 'frame');
    assert.deepEqual(frames.map((f) => frameBytes(f).length), [504, 304, 14], `cut at ${cut}`);
    const answer = items[2];
    assert.equal(answer?.kind === 'response' && answer.headers.get('Nonce'), '12345');
    assert.equal(reader.buffered, 0);
  }
});

test('chunks pushed before reading (a completed frame, then more) keep their order', () => {
  const stream = Buffer.concat([frame(0, 100, 1), frame(0, 100, 2), frame(0, 100, 3)]);
  const reader = new RtspReader();
  reader.push(stream.subarray(0, 50));
  reader.push(stream.subarray(50, 150)); // completes frame 1, leaves part of frame 2 as the rest
  reader.push(stream.subarray(150)); // appended to that rest
  const items = drain(reader);
  assert.deepEqual(items.map((i) => (i.kind === 'frame' ? i.payload[0] : 0)), [1, 2, 3]);
  assert.equal(reader.buffered, 0);
});
