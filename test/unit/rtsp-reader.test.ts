import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cseqOf, makeResponse, serializeFrame, serializeMessage, sessionIdOf, sessionTimeoutOf } from '../../src/main/rtsp/message.js';
import { RtspParseError, RtspReader, type RtspItem, type RtspLimits } from '../../src/main/rtsp/reader.js';
import { parseNonce } from '../../src/main/rtsp/nonce.js';
import { clientStream, serverStream } from '../fixtures/rtsp/session.js';

function drain(reader: RtspReader, into: RtspItem[]): void {
  for (let item = reader.read(); item; item = reader.read()) into.push(item);
}

function readChunks(chunks: Iterable<Buffer>, limits?: Partial<RtspLimits>): { items: RtspItem[]; reader: RtspReader } {
  const reader = new RtspReader(limits);
  const items: RtspItem[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    drain(reader, items);
  }
  return { items, reader };
}

function serialize(item: RtspItem): Buffer {
  if (item.kind === 'error') throw item.error;
  return item.kind === 'frame' ? serializeFrame(item) : serializeMessage(item);
}

function* bytes(buf: Buffer): Iterable<Buffer> {
  for (let i = 0; i < buf.length; i++) yield buf.subarray(i, i + 1);
}

for (const [name, units] of [['client', clientStream], ['server', serverStream]] as const) {
  const whole = Buffer.concat(units);

  test(`${name} session fed whole: every message and frame, re-serialized byte-exact`, () => {
    const { items, reader } = readChunks([whole]);
    assert.equal(items.length, units.length);
    items.forEach((item, i) => assert.ok(serialize(item).equals(units[i]!), `item ${i} (${item.kind})`));
    assert.equal(reader.buffered, 0);
  });

  test(`${name} session fed byte by byte gives the same items`, () => {
    const { items } = readChunks(bytes(whole));
    assert.equal(items.length, units.length);
    items.forEach((item, i) => assert.ok(serialize(item).equals(units[i]!), `item ${i}`));
  });

  test(`${name} session split in two at every offset gives the same items`, () => {
    for (let cut = 1; cut < whole.length; cut++) {
      const { items, reader } = readChunks([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.equal(items.length, units.length, `cut at ${cut}`);
      for (let i = 0; i < items.length; i++) {
        if (!serialize(items[i]!).equals(units[i]!)) assert.fail(`cut at ${cut}: item ${i} differs`);
      }
      assert.equal(reader.buffered, 0);
    }
  });
}

test('the parsed session carries what the engine needs: methods, CSeq, Nonce above 2^53, Session, SDP body', () => {
  const requests = readChunks([Buffer.concat(clientStream)]).items;
  assert.deepEqual(requests.map((r) => (r.kind === 'request' ? r.method : r.kind)), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY', 'GET_PARAMETER', 'TEARDOWN']);
  assert.deepEqual(requests.map((r) => (r.kind === 'request' ? cseqOf(r) : 0)), [1, 2, 3, 4, 5, 6, 7]);
  const describe = requests[1];
  assert.ok(describe?.kind === 'request');
  assert.equal(parseNonce(describe.headers.get('nonce')), 11529215046068469973n);
  assert.equal(describe.headers.get('accept'), 'application/sdp');
  const setup2 = requests[3];
  assert.ok(setup2?.kind === 'request');
  assert.equal(setup2.headers.get('Transport'), 'RTP/AVP/TCP;unicast;interleaved=2-3');

  const server = readChunks(bytes(Buffer.concat(serverStream))).items;
  const sdpResponse = server[1];
  assert.ok(sdpResponse?.kind === 'response');
  assert.equal(sdpResponse.status, 200);
  assert.equal(sdpResponse.body.length, Number(sdpResponse.headers.get('Content-Length')));
  assert.match(sdpResponse.body.toString('utf8'), /^v=0\r\n[\s\S]*a=control:trackID=2\r\n$/);
  const setup = server[2];
  assert.ok(setup?.kind === 'response');
  assert.equal(sessionIdOf(setup), '1DE2F3A4B5C6');
  const frames = server.filter((i) => i.kind === 'frame');
  assert.deepEqual([...new Set(frames.map((f) => f.channel))].sort(), [0, 1, 2, 3]);
  assert.ok(frames.some((f) => f.payload.length === 65535) && frames.some((f) => f.payload.length === 0));
  const keepAlive = server.find((i) => i.kind === 'response' && cseqOf(i) === 6);
  assert.ok(keepAlive, 'the keep-alive answer between frames is read as a message');
});

test('a frame lying inside one chunk is a view of it, not a copy', () => {
  const chunk = Buffer.from([0x24, 1, 0, 3, 7, 8, 9, 0x24, 0, 0, 1, 5]);
  const { items } = readChunks([chunk]);
  const [first, second] = items;
  assert.ok(first?.kind === 'frame' && second?.kind === 'frame');
  assert.equal(first.payload.buffer, chunk.buffer);
  assert.deepEqual([...first.payload], [7, 8, 9]);
  assert.equal(second.payload.length, 1);
});

const LIMITS: RtspLimits = { maxHeaderBytes: 4096, maxHeaderLines: 16, maxBodyBytes: 8192 };
const BOUND = LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes + 65539;
const OPTIONS = Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 9\r\n\r\n', 'latin1');

function errorsOf(items: RtspItem[]): RtspParseError[] {
  return items.flatMap((i) => (i.kind === 'error' ? [i.error] : []));
}

/** Feeds in chunks, checking the bound on `buffered` after every drain. */
function feedBounded(input: Buffer, chunkSize: number): RtspItem[] {
  const reader = new RtspReader(LIMITS);
  const items: RtspItem[] = [];
  for (let at = 0; at < input.length; at += chunkSize) {
    reader.push(input.subarray(at, at + chunkSize));
    drain(reader, items);
    assert.ok(reader.buffered <= BOUND, `buffered ${reader.buffered} > ${BOUND}`);
  }
  return items;
}

test('an endless header line gives one header-too-large (431), then reading resumes at the next message', () => {
  const input = Buffer.concat([
    Buffer.from(`DESCRIBE rtsp://h/x RTSP/1.0\r\nCSeq: 2\r\nX-Long: ${'a$'.repeat(60_000)}\r\n\r\n`, 'latin1'),
    OPTIONS,
  ]);
  for (const chunkSize of [1, 1000, input.length]) {
    const items = feedBounded(input, chunkSize);
    const errors = errorsOf(items);
    assert.deepEqual(errors.map((e) => [e.code, e.status]), [['header-too-large', 431]], `chunk ${chunkSize}`);
    assert.ok(errors[0] instanceof RtspParseError);
    assert.ok(serialize(items.at(-1)!).equals(OPTIONS), `chunk ${chunkSize}`);
  }
});

test('too many header lines give too-many-headers (431), then the next message reads', () => {
  const headers = Array.from({ length: 17 }, (_, i) => `X-H${i}: v`).join('\r\n');
  const input = Buffer.concat([Buffer.from(`OPTIONS * RTSP/1.0\r\n${headers}\r\n\r\n`, 'latin1'), OPTIONS]);
  for (const chunkSize of [1, 7, input.length]) {
    const items = feedBounded(input, chunkSize);
    assert.deepEqual(errorsOf(items).map((e) => [e.code, e.status]), [['too-many-headers', 431]]);
    assert.equal(items.length, 2);
    assert.ok(serialize(items[1]!).equals(OPTIONS));
  }
});

test('a huge Content-Length gives body-too-large (413) and exactly that body is dropped', () => {
  const body = Buffer.from(`${'\r\nOPTIONS * RTSP/1.0\r\n$\x00\x00\x01'.repeat(400)}`, 'latin1').subarray(0, 10_000);
  const input = Buffer.concat([Buffer.from(`ANNOUNCE rtsp://h/x RTSP/1.0\r\nCSeq: 3\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body, OPTIONS]);
  for (const chunkSize of [1, 999, input.length]) {
    const items = feedBounded(input, chunkSize);
    assert.deepEqual(errorsOf(items).map((e) => [e.code, e.status]), [['body-too-large', 413]], `chunk ${chunkSize}`);
    assert.equal(items.length, 2, 'nothing read out of the dropped body');
    assert.ok(serialize(items[1]!).equals(OPTIONS));
  }
  const giant = feedBounded(Buffer.from('OPTIONS * RTSP/1.0\r\nContent-Length: 9999999999\r\n\r\nxyz', 'latin1'), 5);
  assert.deepEqual(errorsOf(giant).map((e) => e.code), ['body-too-large']);
});

test('an invalid Content-Length is malformed (400)', () => {
  for (const value of ['abc', '-1', '1.5', '12345678901', '0x10']) {
    const items = feedBounded(Buffer.concat([Buffer.from(`OPTIONS * RTSP/1.0\r\nContent-Length: ${value}\r\n\r\n`, 'latin1'), OPTIONS]), 3);
    assert.deepEqual(errorsOf(items).map((e) => [e.code, e.status]), [['malformed', 400]], value);
    assert.ok(serialize(items.at(-1)!).equals(OPTIONS), value);
  }
});

test('a garbage run is reported once with its size however it is split', () => {
  const garbage = Buffer.from('\x00\x01hello: world\r\nab\r\n\x7f\xffRTS\r\nX\r\n', 'latin1');
  const input = Buffer.concat([OPTIONS, garbage, OPTIONS, garbage, Buffer.from([0x24, 2, 0, 1, 0xaa])]);
  for (const chunkSize of [1, 2, 3, 5, input.length]) {
    const items = feedBounded(input, chunkSize);
    assert.deepEqual(items.map((i) => i.kind), ['request', 'error', 'request', 'error', 'frame'], `chunk ${chunkSize}`);
    for (const e of errorsOf(items)) assert.deepEqual([e.code, e.bytes, e.status], ['garbage', garbage.length, 400]);
  }
});

test('a malformed start line or header is a malformed error, and reading goes on', () => {
  const input = Buffer.concat([
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
    Buffer.from('OPTIONS * RTSP/1.0\r\nno colon here\r\n\r\n', 'latin1'),
    OPTIONS,
  ]);
  const items = feedBounded(input, 4);
  assert.deepEqual(errorsOf(items).map((e) => e.code), ['malformed', 'malformed']);
  assert.ok(serialize(items.at(-1)!).equals(OPTIONS));
});

test('a response is read as FFmpeg reads it: odd status-line spacing, unreadable header lines skipped, blanks before a colon', () => {
  const sloppy = Buffer.from(
    'RTSP/1.0\t 200   OK all good  \n' +
      'CSeq : 4\n' +
      'this line has no colon\n' +
      'X Bad Name: 1\n' +
      'nonce:  77\r\n' +
      'Session:\tABC;timeout=30\r\n' +
      'Content-Length: 3\r\n\r\nv=0',
    'latin1',
  );
  for (const chunkSize of [1, 3, sloppy.length]) {
    const items = feedBounded(Buffer.concat([sloppy, Buffer.from([0x24, 0, 0, 1, 0xaa])]), chunkSize);
    assert.deepEqual(items.map((i) => i.kind), ['response', 'frame'], `chunk ${chunkSize}`);
    const response = items[0]!;
    assert.ok(response.kind === 'response');
    assert.deepEqual([response.status, response.reason], [200, 'OK all good']);
    assert.equal(cseqOf(response), 4);
    assert.equal(parseNonce(response.headers.get('Nonce')), 77n);
    assert.equal(sessionIdOf(response), 'ABC');
    assert.equal(response.body.toString(), 'v=0');
    assert.deepEqual([...response.headers].map(([name]) => name), ['CSeq', 'nonce', 'Session', 'Content-Length']);
  }
});

test('a response\'s Content-Length is read as FFmpeg\'s strtol reads it; a request\'s stays strict', () => {
  const cases: [string, string][] = [
    [' \t3 ', 'v=0'],
    ['3 octets', 'v=0'],
    ['+3;junk', 'v=0'],
    ['-5', ''],
    ['none', ''],
  ];
  for (const [value, body] of cases) {
    const input = Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 2\r\ncontent-LENGTH:${value}\r\n\r\n${body}`, 'latin1');
    const items = feedBounded(Buffer.concat([input, Buffer.from([0x24, 0, 0, 1, 0xaa])]), 2);
    assert.deepEqual(items.map((i) => i.kind), ['response', 'frame'], value);
    const response = items[0]!;
    assert.ok(response.kind === 'response');
    assert.equal(response.body.toString(), body, value);
  }
  const request = feedBounded(Buffer.concat([Buffer.from('OPTIONS * RTSP/1.0\r\nContent-Length: 3 octets\r\n\r\n', 'latin1'), OPTIONS]), 3);
  assert.deepEqual(errorsOf(request).map((e) => e.code), ['malformed']);
});

test('a response with any RTSP/ version and no reason is a response', () => {
  for (const line of ['RTSP/1.0 453', 'RTSP/1.00 200 OK', 'RTSP/2.0 200 OK']) {
    const items = feedBounded(Buffer.from(`${line}\r\nCSeq: 1\r\n\r\n`, 'latin1'), 2);
    assert.deepEqual(items.map((i) => i.kind), ['response'], line);
  }
});

test('a Session timeout of 0 or none means 60 s, as FFmpeg reads it', () => {
  assert.equal(sessionTimeoutOf(makeResponse(200, { Session: 'AB;timeout=0' })), 60);
  assert.equal(sessionTimeoutOf(makeResponse(200, { Session: 'AB' })), 60);
  assert.equal(sessionTimeoutOf(makeResponse(200, { Session: 'AB; Timeout = 12' })), 12);
});
