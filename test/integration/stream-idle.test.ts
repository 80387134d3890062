// Cameras waiting for viewers must wake nothing, so a laptop running the tray app can sleep: after a
// viewer watched and left (linger over, TEARDOWN sent), the engine's process runs no timer. Measured
// from outside as the kernel sees it: how often the child's main thread was scheduled in a few
// seconds (/proc/<pid>/task/<pid>/schedstat, third field). The bitrate sampler used to tick every
// second for as long as any endpoint existed.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { EndpointOptions } from '../../src/main/stream/manager.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity } from '../../src/sim/identity.js';
import { TestRtspClient } from './sim-client.js';
import { waitFor } from '../support/wait.js';

const CHILD = new URL('./stream-idle.child.ts', import.meta.url).pathname;
/** The window in which the idle engine may be scheduled at most once (a stray kernel or V8 event). */
const WINDOW_MS = 3_500;

function timesScheduled(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[2]);
}

describe('an idle engine', () => {
  let child: ChildProcess | undefined;
  let station: SimBaseStation | undefined;
  after(async () => {
    child?.kill('SIGKILL');
    await station?.stop();
  });

  it('runs nothing once its last viewer has left', async () => {
    const ca = await SimCertificateAuthority.create();
    const identity = issueIdentity(ca);
    station = new SimBaseStation({ ca, cameras: [{ deviceId: 'CAM1', codecs: ['avc'] }, { deviceId: 'CAM2', codecs: ['avc'] }] });
    await station.start();
    const endpoints: EndpointOptions[] = ['CAM1', 'CAM2'].map((id) => ({
      deviceId: id, cameraId: id, codec: 'avc', ownBaseStation: false, port: 0, listenAddress: '127.0.0.1', lingerMs: 200,
      upstream: { baseStationId: 'BASE1', host: '127.0.0.1', port: station!.port, certificatePem: identity.certPem, privateKeyPem: identity.keyPem },
    }));
    // V8's memory reducer schedules collections on the main thread some seconds after start-up
    // and after activity; it is V8's housekeeping, not ours, so it is off for this measurement.
    child = spawn(process.execPath, ['--import', 'tsx', '--no-memory-reducer', CHILD, JSON.stringify(endpoints)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('\n'), 30_000, 'the engine to listen');
    const [url] = JSON.parse(output) as string[];

    const viewer = await TestRtspClient.connectPlain(Number(new URL(url!).port));
    await viewer.play(url!);
    await viewer.waitForFrames(20, 10_000);
    viewer.close();
    await waitFor(() => station!.stats.activeSessions === 0 && station!.stats.teardowns === 1, 10_000, 'the linger to end with TEARDOWN');
    // The sampler's last tick (≤ 1 s) and the publish it makes (0.5 s) come after the TEARDOWN.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const before = timesScheduled(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const woken = timesScheduled(child.pid!) - before;
    assert.ok(woken <= 1, `the idle engine's main thread ran ${woken} times in ${WINDOW_MS} ms`);
  });
});
