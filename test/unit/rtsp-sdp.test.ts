import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  attribute, controlOf, fmtpOf, h264ParameterSets, h265ParameterSets, parseSdp, resolveControlUrl,
  rtpmapOf, SdpParseError, setControl, videoCodecOf, writeSdp,
} from '../../src/main/rtsp/sdp.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/rtsp/${name}`, import.meta.url), 'utf8');
// Parameter sets below were produced by ffmpeg (libx264 / libx265, -flags +global_header).
const h264Sdp = fixture('describe-h264-aac.sdp');
const h265Sdp = fixture('describe-h265.sdp');

test('parseSdp keeps session lines and media sections in order; writeSdp round-trips byte-exact', () => {
  for (const text of [h264Sdp, h265Sdp]) assert.equal(writeSdp(parseSdp(text)), text);
  const sd = parseSdp(h264Sdp);
  assert.equal(sd.session.map((l) => l.type).join(''), 'vosictaa');
  assert.equal(sd.media.length, 2);
  const [video, audio] = sd.media;
  assert.ok(video && audio);
  assert.deepEqual({ type: video.type, port: video.port, proto: video.proto, formats: video.formats }, { type: 'video', port: 0, proto: 'RTP/AVP', formats: ['96'] });
  assert.deepEqual(video.lines, [{ type: 'b', value: 'AS:2000' }]);
  assert.deepEqual(video.attributes.map((a) => a.name), ['rtpmap', 'fmtp', 'recvonly', 'control']);
  assert.equal(video.attributes[2]?.value, undefined, 'flag attribute');
  assert.equal(attribute(sd, 'range'), 'npt=0-');
  assert.equal(controlOf(sd), '*');
  assert.equal(controlOf(video), 'trackID=1');
  assert.equal(controlOf(audio), 'trackID=2');
});

test('LF-only input parses and writes back with CRLF; ports with counts survive', () => {
  const text = 'v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 5004/2 RTP/AVP 0 8\na=sendonly\n';
  const sd = parseSdp(text);
  assert.equal(sd.media[0]?.portCount, 2);
  assert.deepEqual(sd.media[0]?.formats, ['0', '8']);
  assert.equal(writeSdp(sd), text.replaceAll('\n', '\r\n'));
});

test('rtpmap, fmtp, codec and parameter sets', () => {
  const [video, audio] = parseSdp(h264Sdp).media;
  assert.ok(video && audio);
  assert.deepEqual(rtpmapOf(video), { payloadType: 96, encoding: 'H264', clockRate: 90000 });
  assert.deepEqual(rtpmapOf(audio), { payloadType: 97, encoding: 'MPEG4-GENERIC', clockRate: 16000, channels: 1 });
  assert.equal(fmtpOf(video).get('packetization-mode'), '1');
  assert.equal(fmtpOf(video).get('profile-level-id'), 'F4000A');
  assert.equal(fmtpOf(audio).get('config'), '140856E500');
  assert.equal(fmtpOf(audio).get('mode'), 'AAC-hbr');
  assert.equal(videoCodecOf(video), 'h264');
  assert.equal(videoCodecOf(audio), undefined);
  const sets = h264ParameterSets(video);
  assert.deepEqual(sets.map((s) => s[0]! & 0x1f), [7, 8], 'SPS then PPS NAL units');
  assert.equal(sets[0]?.toString('base64'), 'Z/QACpGbKFCPxOAiAAADAAIAAAMAFB4kSyw=');
  assert.deepEqual(h264ParameterSets(audio), []);

  const hevc = parseSdp(h265Sdp).media[0];
  assert.ok(hevc);
  assert.equal(videoCodecOf(hevc), 'h265');
  const { vps, sps, pps } = h265ParameterSets(hevc);
  assert.deepEqual([vps, sps, pps].map((list) => list.map((nal) => (nal[0]! >> 1) & 0x3f)), [[32], [33], [34]]);
});

test('rtpmap/fmtp of other payload types are ignored', () => {
  const m = parseSdp('v=0\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n').media[0]!;
  assert.equal(rtpmapOf(m), undefined);
  assert.equal(fmtpOf(m).size, 0);
  assert.equal(videoCodecOf(m), undefined);
});

test('setControl replaces in place or appends', () => {
  const sd = parseSdp(h264Sdp);
  const [video] = sd.media;
  assert.ok(video);
  setControl(video, 'rtsp://127.0.0.1:8554/cam/trackID=1');
  assert.equal(controlOf(video), 'rtsp://127.0.0.1:8554/cam/trackID=1');
  assert.equal(video.attributes.at(-1)?.name, 'control');
  assert.equal(writeSdp(sd), h264Sdp.replace('a=control:trackID=1', 'a=control:rtsp://127.0.0.1:8554/cam/trackID=1'));
  const bare = parseSdp('v=0\r\nm=video 0 RTP/AVP 96\r\n').media[0]!;
  setControl(bare, 'track0');
  assert.equal(writeSdp({ session: [{ type: 'v', value: '0' }], media: [bare] }), 'v=0\r\nm=video 0 RTP/AVP 96\r\na=control:track0\r\n');
});

test('resolveControlUrl follows RFC 2326 C.1.1 the way servers expect', () => {
  const base = 'rtsp://192.168.1.20:554/A1B2C3D4E5F6G/tcp/avc';
  assert.equal(resolveControlUrl(base, '*'), base);
  assert.equal(resolveControlUrl(base, ''), base);
  assert.equal(resolveControlUrl(base, 'trackID=1'), `${base}/trackID=1`);
  assert.equal(resolveControlUrl(`${base}/`, 'trackID=1'), `${base}/trackID=1`);
  assert.equal(resolveControlUrl(base, 'rtsp://10.0.0.1/x/track2'), 'rtsp://10.0.0.1/x/track2');
  assert.equal(resolveControlUrl(base, 'RTSP://10.0.0.1/y'), 'RTSP://10.0.0.1/y');
  assert.equal(resolveControlUrl(base, '/other/track1'), 'rtsp://192.168.1.20:554/other/track1');
  assert.equal(resolveControlUrl('rtsp://[fe80::1]:554/X', '/Y'), 'rtsp://[fe80::1]:554/Y');
});

test('SDP is read as FFmpeg reads it: stray and blank lines skipped, blanks around lines and inside m= ignored, no v= needed', () => {
  const sd = parseSdp('\r\n  v=0\r\no=- 0 0 IN IP4 1.2.3.4 \r\nnot a line\r\n\r\nm=video  0 RTP/AVP  96 \r\n\ta=rtpmap:96 H264/90000\r\na=control:trackID=0  \r\n');
  assert.deepEqual(sd.session.map((l) => l.type), ['v', 'o']);
  assert.equal(sd.media.length, 1);
  assert.deepEqual([sd.media[0]!.type, sd.media[0]!.proto, sd.media[0]!.formats], ['video', 'RTP/AVP', ['96']]);
  assert.equal(videoCodecOf(sd.media[0]!), 'h264');
  assert.equal(controlOf(sd.media[0]!), 'trackID=0');
  assert.equal(parseSdp('o=- 0 0 IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 97\r\n').media[0]!.type, 'audio');
});

test('SDP that describes nothing, or a media line that cannot be read, gives SdpParseError with the line number', () => {
  const cases: Array<[string, number]> = [
    ['', 1],
    ['no sdp here\r\n', 1],
    ['v=0\r\nm=video\r\n', 2],
    ['v=0\r\nm=video x RTP/AVP 96\r\n', 2],
  ];
  for (const [text, line] of cases) {
    assert.throws(() => parseSdp(text), (e: unknown) => e instanceof SdpParseError && e.line === line, JSON.stringify(text));
  }
});
