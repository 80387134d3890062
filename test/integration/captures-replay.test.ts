// Every field capture in test/fixtures/captures/ (made by `arlo-rtsp doctor --capture`: the first
// ones against the simulator in its quirk modes, see scripts/make-captures.ts; a user's, once
// attached to a bug report) is replayed by the simulator as that base station and played through
// the product's stream engine by stock ffmpeg: it decodes without error, and the replay counts no
// Nonce violation. A user's failing capture lands here as the regression test of their bug.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readCapture } from '../../src/main/capture/format.js';
import { camerasOfCapture } from '../../src/sim/replay.js';
import { ffmpegDecode, rigsClosedAfterTests } from '../support/stream-rig.js';

const FOLDER = new URL('../fixtures/captures/', import.meta.url);
const FILES = readdirSync(FOLDER).filter((name) => name.endsWith('.json')).sort();
/** Two seconds at the clips' 15 fps: past the recorded media, into the replay's extrapolation. */
const FRAMES = 60;

describe('field captures replayed through the product', { concurrency: 2 }, () => {
  const rig = rigsClosedAfterTests();

  it('has captures to replay', () => {
    assert.ok(FILES.length >= 5, `captures in ${FOLDER.pathname}: ${FILES.join(', ')}`);
  });

  for (const name of FILES) {
    it(name, { timeout: 120_000 }, async () => {
      const capture = await readCapture(new URL(name, FOLDER).pathname);
      const cameras = camerasOfCapture(capture);
      const replay = await rig({ cameras, station: { replay: capture } });
      const { url } = await replay.endpoint(cameras[0]!.deviceId, { lingerMs: 0 });
      const decoded = await ffmpegDecode(url, { frames: FRAMES, timeoutMs: 60_000 });
      assert.equal(decoded.code, 0, decoded.errors);
      assert.ok(decoded.frames >= FRAMES, `decoded ${decoded.frames} of ${FRAMES} frames`);
      assert.equal(decoded.errors, '', 'no decode error');
      assert.equal(replay.station.stats.nonceViolations, 0, 'Nonce violations');
      assert.ok(replay.station.stats.requests.some((r) => r.method === 'PLAY' && r.status >= 200 && r.status < 300), 'played as recorded');
    });
  }
});
