import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSps, pictureSizeOf } from '../../src/main/rtsp/sps.js';
import { loadMedia } from '../../src/sim/source.js';

test('pictureSizeOf reads the size of the H.264 and H.265 clips (ffprobe: 640x360, 1280x720)', async () => {
  const avc = (await loadMedia('avc')).parameterSets.sps;
  const hevc = (await loadMedia('hevc')).parameterSets.sps;
  assert.ok(isSps('h264', avc) && isSps('h265', hevc));
  assert.deepEqual(pictureSizeOf('h264', avc), { width: 640, height: 360 });
  assert.deepEqual(pictureSizeOf('h265', hevc), { width: 1280, height: 720 });
});

test('pictureSizeOf: not an SPS, or cut short, is undefined rather than a guess', async () => {
  const avc = (await loadMedia('avc')).parameterSets.sps;
  assert.equal(pictureSizeOf('h264', Buffer.from([0x68, 0xee, 0x3c, 0x80])), undefined, 'a PPS');
  assert.equal(pictureSizeOf('h264', avc.subarray(0, 4)), undefined);
  assert.equal(pictureSizeOf('h265', Buffer.alloc(0)), undefined);
});
