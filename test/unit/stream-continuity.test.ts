// RtpContinuity: after the hub replaces its upstream session, viewers see one stream: sequence
// numbers run on, timestamps advance by the wall-clock gap, the SSRC stays, sender reports follow.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRtpHeader, writeRtpHeader } from '../../src/main/rtsp/rtp.js';
import { RtpContinuity } from '../../src/main/stream/continuity.js';

const packet = (sequence: number, timestamp: number, ssrc: number) =>
  Buffer.concat([writeRtpHeader({ payloadType: 96, sequence, timestamp, ssrc }), Buffer.from([0x65, 0x88])]);

describe('RtpContinuity', () => {
  it('leaves the first session untouched', () => {
    const continuity = new RtpContinuity(90_000);
    const first = packet(65_535, 4_294_967_000, 0xaaaa);
    continuity.rtp(first);
    assert.deepEqual(first, packet(65_535, 4_294_967_000, 0xaaaa));
  });

  it('continues sequence, timestamp and SSRC across a new session, wrapping at 16 and 32 bits', async () => {
    const continuity = new RtpContinuity(90_000);
    continuity.rtp(packet(65_534, 4_294_967_000, 0xaaaa));
    continuity.rtp(packet(65_535, 4_294_967_200, 0xaaaa));
    continuity.newSession();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = packet(17, 123_456, 0xbbbb);
    continuity.rtp(next);
    const header = parseRtpHeader(next)!;
    assert.equal(header.sequence, 0);
    assert.equal(header.ssrc, 0xaaaa);
    const advanced = (header.timestamp - 4_294_967_200 + 2 ** 32) % 2 ** 32;
    assert.ok(advanced >= 9_000 && advanced < 90_000, `timestamp advanced by ${advanced} ticks for ~100 ms`);
    const later = packet(18, 123_456 + 3_000, 0xbbbb);
    continuity.rtp(later);
    assert.equal(parseRtpHeader(later)!.sequence, 1);
    assert.equal(parseRtpHeader(later)!.timestamp, (header.timestamp + 3_000) % 2 ** 32);

    const report = Buffer.alloc(28);
    report[0] = 0x80;
    report[1] = 200;
    report.writeUInt32BE(0xbbbb, 4);
    report.writeUInt32BE(123_456, 16);
    assert.equal(continuity.rtcp(report), true);
    assert.equal(report.readUInt32BE(4), 0xaaaa);
    assert.equal(report.readUInt32BE(16), header.timestamp);
  });

  it('holds back sender reports of a new session until its first packet places it', () => {
    const continuity = new RtpContinuity(90_000);
    continuity.rtp(packet(1, 1, 1));
    continuity.newSession();
    assert.equal(continuity.rtcp(Buffer.alloc(28)), false);
  });
});
