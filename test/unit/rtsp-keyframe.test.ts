import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyframeStart } from '../../src/main/rtsp/keyframe.js';

const b = (...bytes: number[]) => Buffer.from(bytes);
/** An aggregation unit: 16-bit size then the NAL unit. */
const unit = (...nal: number[]) => [nal.length >> 8, nal.length & 0xff, ...nal];

// H.264 NAL header: F(1) NRI(2) type(5).
const h264 = (type: number) => 0x60 | type;

test('H.264 single NAL units: IDR and SPS start a picture; P slice, PPS, SEI do not', () => {
  assert.equal(isKeyframeStart('h264', b(h264(5), 0x88, 0x84)), true);
  assert.equal(isKeyframeStart('h264', b(h264(7), 0x64, 0x00, 0x1f)), true);
  assert.equal(isKeyframeStart('h264', b(0x41, 0x9a, 0x02)), false, 'P slice (type 1)');
  assert.equal(isKeyframeStart('h264', b(h264(8), 0xee)), false, 'PPS');
  assert.equal(isKeyframeStart('h264', b(0x06, 0x05)), false, 'SEI');
  assert.equal(isKeyframeStart('h264', b()), false, 'empty');
});

test('H.264 STAP-A starts a picture when it holds an SPS or IDR', () => {
  assert.equal(isKeyframeStart('h264', b(0x78, ...unit(h264(7), 0x64, 0, 0x1f), ...unit(h264(8), 0xee, 0x3c))), true);
  assert.equal(isKeyframeStart('h264', b(0x78, ...unit(0x06, 5), ...unit(h264(5), 0x88))), true, 'IDR second');
  assert.equal(isKeyframeStart('h264', b(0x78, ...unit(h264(8), 0xee), ...unit(0x06, 5))), false, 'PPS + SEI');
  assert.equal(isKeyframeStart('h264', b(0x78, 0x00, 0x09, h264(7))), false, 'truncated unit is not trusted');
});

test('H.264 FU-A: only the first fragment of an IDR/SPS', () => {
  const fuIndicator = 0x7c; // NRI 3, type 28
  assert.equal(isKeyframeStart('h264', b(fuIndicator, 0x80 | 5, 0x88)), true, 'start of IDR');
  assert.equal(isKeyframeStart('h264', b(fuIndicator, 0x00 | 5, 0x11)), false, 'middle of IDR');
  assert.equal(isKeyframeStart('h264', b(fuIndicator, 0x40 | 5, 0x11)), false, 'end of IDR');
  assert.equal(isKeyframeStart('h264', b(0x5c, 0x80 | 1, 0x9a)), false, 'start of P slice');
  assert.equal(isKeyframeStart('h264', b(fuIndicator)), false, 'no FU header');
});

// H.265 NAL/payload header: F(1) type(6) layerId(6) tid(3) → two bytes.
const h265 = (type: number) => [type << 1, 0x01];

test('H.265 single NAL units: IRAP 16..21, VPS and SPS start a picture', () => {
  for (const type of [16, 17, 18, 19, 20, 21, 32, 33]) {
    assert.equal(isKeyframeStart('h265', b(...h265(type), 0xaf)), true, `type ${type}`);
  }
  for (const type of [0, 1, 9, 15, 22, 23, 34, 35, 39]) {
    assert.equal(isKeyframeStart('h265', b(...h265(type), 0xaf)), false, `type ${type}`);
  }
  assert.equal(isKeyframeStart('h265', b(0x26)), false, 'one byte only');
});

test('H.265 aggregation packet starts a picture when it holds a VPS/SPS/IRAP', () => {
  assert.equal(isKeyframeStart('h265', b(...h265(48), ...unit(...h265(32), 0x0c), ...unit(...h265(33), 0x01), ...unit(...h265(34), 0xc1))), true);
  assert.equal(isKeyframeStart('h265', b(...h265(48), ...unit(...h265(39), 0x05), ...unit(...h265(19), 0xaf))), true, 'IDR second');
  assert.equal(isKeyframeStart('h265', b(...h265(48), ...unit(...h265(34), 0xc1), ...unit(...h265(39), 0x05))), false, 'PPS + SEI');
});

test('H.265 FU: only the first fragment of an IRAP/VPS/SPS', () => {
  assert.equal(isKeyframeStart('h265', b(...h265(49), 0x80 | 19, 0xaf)), true, 'start of IDR_W_RADL');
  assert.equal(isKeyframeStart('h265', b(...h265(49), 0x80 | 21, 0xaf)), true, 'start of CRA');
  assert.equal(isKeyframeStart('h265', b(...h265(49), 19, 0xaf)), false, 'middle of IDR');
  assert.equal(isKeyframeStart('h265', b(...h265(49), 0x40 | 19, 0xaf)), false, 'end of IDR');
  assert.equal(isKeyframeStart('h265', b(...h265(49), 0x80 | 1, 0xaf)), false, 'start of TRAIL_R');
  assert.equal(isKeyframeStart('h265', b(...h265(49))), false, 'no FU header');
});

test('the codec decides how the same bytes are read', () => {
  // 0x65 is an H.264 IDR; as an H.265 header it is type 50 (not a start).
  assert.equal(isKeyframeStart('h264', b(0x65, 0x01, 0x00)), true);
  assert.equal(isKeyframeStart('h265', b(0x65, 0x01, 0x00)), false);
});

test('the payload is read where it lies in the packet: bytes before start and after end are not looked at', () => {
  // An RTP-like prefix that would read as an IDR, then a P slice, then an IDR-looking padding tail.
  const packet = b(h264(5), 0x00, 0x41, 0x9a, h264(5));
  assert.equal(isKeyframeStart('h264', packet, 2, 4), false, 'P slice between the IDR-looking bytes');
  assert.equal(isKeyframeStart('h264', packet, 4, 5), true);
  // A STAP-A whose second unit runs past `end` is truncated there.
  const stap = b(0xff, 0x78, ...unit(0x06, 5), ...unit(h264(5), 0x88));
  assert.equal(isKeyframeStart('h264', stap, 1, stap.length), true);
  assert.equal(isKeyframeStart('h264', stap, 1, stap.length - 1), false);
  assert.equal(isKeyframeStart('h265', b(0, 0, 19 << 1, 1), 2, 4), true, 'H.265 IDR_W_RADL at an offset');
});
