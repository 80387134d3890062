import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtpHeader, writeRtpHeader } from '../../src/main/rtsp/rtp.js';

test('writeRtpHeader + parseRtpHeader round-trip the fixed header', () => {
  const header = writeRtpHeader({ marker: true, payloadType: 96, sequence: 65535, timestamp: 0xfffffffe, ssrc: 0xdeadbeef });
  const packet = Buffer.concat([header, Buffer.from([1, 2, 3])]);
  assert.deepEqual(parseRtpHeader(packet), {
    version: 2, padding: false, marker: true, payloadType: 96, sequence: 65535,
    timestamp: 0xfffffffe, ssrc: 0xdeadbeef, payloadOffset: 12, payloadEnd: 15,
  });
  assert.equal(parseRtpHeader(writeRtpHeader({ payloadType: 97, sequence: 1, timestamp: 2, ssrc: 3 }))?.marker, false);
});

test('parseRtpHeader skips CSRCs and the header extension and drops padding', () => {
  // V=2 P=1 X=1 CC=2, PT 96; 2 CSRCs; extension of 1 word; 4 payload bytes; 3 bytes padding.
  const packet = Buffer.from([
    0xb2, 0x60, 0x00, 0x07, 0, 0, 0, 9, 0, 0, 0, 1,
    0, 0, 0, 0xa, 0, 0, 0, 0xb,
    0xbe, 0xde, 0x00, 0x01, 1, 2, 3, 4,
    0x61, 0x62, 0x63, 0x64,
    0, 0, 3,
  ]);
  const h = parseRtpHeader(packet);
  assert.ok(h);
  assert.equal(h.padding, true);
  assert.equal(h.sequence, 7);
  assert.equal(packet.toString('latin1', h.payloadOffset, h.payloadEnd), 'abcd');
});

test('parseRtpHeader refuses packets whose lengths do not add up', () => {
  const ok = Buffer.concat([writeRtpHeader({ payloadType: 96, sequence: 1, timestamp: 1, ssrc: 1 }), Buffer.from([0x65])]);
  assert.ok(parseRtpHeader(ok));
  const cases: Record<string, Buffer> = {
    'too short': ok.subarray(0, 11),
    'version 1': Buffer.from([0x40, ...ok.subarray(1)]),
    'CSRC list past the end': Buffer.from([0x83, ...ok.subarray(1)]),
    'extension header past the end': Buffer.from([0x90, ...ok.subarray(1)]),
    'extension length past the end': Buffer.concat([Buffer.from([0x90]), ok.subarray(1, 12), Buffer.from([0xbe, 0xde, 0, 2, 1, 2, 3, 4])]),
    'zero padding count': Buffer.concat([Buffer.from([0xa0]), ok.subarray(1, 12), Buffer.from([1, 0])]),
    'padding longer than the payload': Buffer.concat([Buffer.from([0xa0]), ok.subarray(1, 12), Buffer.from([1, 9])]),
  };
  for (const [name, packet] of Object.entries(cases)) assert.equal(parseRtpHeader(packet), undefined, name);
});
