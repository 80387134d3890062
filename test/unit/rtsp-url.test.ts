import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arloStreamPath, arloStreamUrl, parseArloStreamPath } from '../../src/main/rtsp/url.js';

test('arloStreamPath builds /<id>/<transport>/<codec>, or /<id> for a camera that is its own base station', () => {
  assert.equal(arloStreamPath('A1B2C3D4E5F6G'), '/A1B2C3D4E5F6G/tcp/avc');
  assert.equal(arloStreamPath('A1B2C3D4E5F6G', { codec: 'hevc' }), '/A1B2C3D4E5F6G/tcp/hevc');
  assert.equal(arloStreamPath('A1B2C3D4E5F6G', { transport: 'udp', codec: 'avc' }), '/A1B2C3D4E5F6G/udp/avc');
  assert.equal(arloStreamPath('A1B2C3D4E5F6G', { ownBaseStation: true, codec: 'hevc' }), '/A1B2C3D4E5F6G');
  assert.equal(arloStreamPath('a/b c'), '/a%2Fb%20c/tcp/avc');
  assert.throws(() => arloStreamPath(''), TypeError);
});

test('parseArloStreamPath reads what arloStreamPath writes and refuses other paths', () => {
  assert.deepEqual(parseArloStreamPath('/A1B2C3D4E5F6G/tcp/avc'), { cameraId: 'A1B2C3D4E5F6G', transport: 'tcp', codec: 'avc' });
  assert.deepEqual(parseArloStreamPath('/A1B2C3D4E5F6G/udp/hevc/'), { cameraId: 'A1B2C3D4E5F6G', transport: 'udp', codec: 'hevc' });
  assert.deepEqual(parseArloStreamPath('/A1B2C3D4E5F6G'), { cameraId: 'A1B2C3D4E5F6G' });
  assert.deepEqual(parseArloStreamPath(arloStreamPath('a/b c')), { cameraId: 'a/b c', transport: 'tcp', codec: 'avc' });
  for (const bad of ['', '/', '//tcp/avc', '/X/tcp', '/X/tcp/h264', '/X/http/avc', 'X/tcp/avc', '/X/tcp/avc/extra', '/%E0%A4%A']) {
    assert.equal(parseArloStreamPath(bad), undefined, bad);
  }
});

test('arloStreamUrl brackets IPv6 hosts', () => {
  assert.equal(arloStreamUrl('192.168.1.20', 554, '/X/tcp/avc'), 'rtsp://192.168.1.20:554/X/tcp/avc');
  assert.equal(arloStreamUrl('VMB5000.local', 554, '/X'), 'rtsp://VMB5000.local:554/X');
  assert.equal(arloStreamUrl('fe80::1', 554, '/X/tcp/avc'), 'rtsp://[fe80::1]:554/X/tcp/avc');
  assert.equal(arloStreamUrl('[::1]', 8554, '/X'), 'rtsp://[::1]:8554/X');
  assert.equal(new URL(arloStreamUrl('fe80::1', 554, '/X/tcp/avc')).pathname, '/X/tcp/avc');
});
