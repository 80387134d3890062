// Issue 10's table, base-station side: for each way a real base station may differ from our default
// simulator, a camera plays through the engine to stock ffmpeg for longer than three session
// timeouts, with zero Nonce violations, one upstream session, and no error ever shown in the state.
// (The cloud-side options are proven in test/integration/cloud-tolerance.test.ts; the SRV port
// other than 554 in test/e2e/basestation-moves.test.ts.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SimQuirks } from '../../src/sim/quirks.js';
import { ffmpegDecode, startRig, type Rig } from '../support/stream-rig.js';

/** Short, so that three of them pass quickly; the simulator ends a session not kept alive within it. */
const SESSION_TIMEOUT_S = 2;
/** Frames ffmpeg decodes: 15 fps for > 3 session timeouts. */
const FRAMES = 15 * (3 * SESSION_TIMEOUT_S + 2);

const OPTIONS: Record<string, SimQuirks> = {
  'small nonces': { nonceStyle: 'small' },
  'signed (negative) nonces': { nonceStyle: 'signed' },
  'keep-alives answered 400': { keepAliveAnswer: 400 },
  'keep-alives answered 501': { keepAliveAnswer: 501 },
  'keep-alives never answered': { keepAliveAnswer: 'never' },
  // Each answer arrives after the next keep-alive is sent: its Nonce, issued then, must be followed.
  'keep-alives answered late': { keepAliveAnswer: 'late' },
  'DESCRIBE and PLAY answered after 20 s (a sleeping battery camera)': { slowMethods: ['DESCRIBE', 'PLAY'], slowMs: 20_000 },
};

// Each option within its own limit; the whole (seven of them, one after another) has none of its own.
describe('the engine against each base-station behaviour of the working clients', () => {
  for (const [name, quirks] of Object.entries(OPTIONS)) {
    it(name, { timeout: 150_000 }, async () => {
      let rig: Rig | undefined;
      try {
        rig = await startRig({ cameras: [{ deviceId: 'CAM1', codecs: ['avc'] }], station: { sessionTimeoutSeconds: SESSION_TIMEOUT_S, quirks } });
        const states: { state: string; error?: string }[] = [];
        const manager = rig.manager;
        manager.on('change', () => {
          const runtime = manager.runtime('CAM1');
          if (runtime) states.push({ state: runtime.state, ...(runtime.error ? { error: runtime.error } : {}) });
        });
        const { url } = await rig.endpoint('CAM1', { lingerMs: 0 });
        const decoded = await ffmpegDecode(url, { frames: FRAMES, timeoutMs: 90_000 });
        assert.equal(decoded.code, 0, decoded.errors);
        assert.ok(decoded.frames >= FRAMES, `decoded ${decoded.frames} of ${FRAMES} frames`);
        assert.equal(rig.station.stats.nonceViolations, 0, 'Nonce violations');
        assert.equal(rig.station.stats.sessionTimeouts, 0, 'the base station never timed the session out');
        assert.equal(manager.runtime('CAM1')?.upstreamSessions, 1, 'one upstream session, never replaced');
        assert.deepEqual(states.filter((s) => s.state === 'error' || s.error !== undefined), [], 'no error shown');
        if (quirks.keepAliveAnswer === 'late') {
          assert.ok((manager.runtime('CAM1')?.keepAliveFailures ?? 0) >= 2, 'the answers came after the keep-alives were given up on');
        }
      } finally {
        await rig?.close();
      }
    });
  }
});
