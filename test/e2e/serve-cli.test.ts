// The headless shell end to end, as a user runs it: `arlo-rtsp demo` (the user path through the
// simulated cloud and base station) and `arlo-rtsp serve` in a child process, stock ffmpeg playing the
// printed URL, the web UI and GET /api/state, and a clean stop on a signal (TEARDOWN with a valid Nonce).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ffmpegDecode } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';
import { enrolledStation, ENROLLED_PASSPHRASE } from '../support/enrolled-station.js';
import { startCli as startCliProcess, type RunningCli } from '../support/run-cli.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const cli = startCliProcess(args, env);
  children.push(cli.child);
  return cli;
}

/** A port base unlikely to collide with other tests: the cameras' ports are fixed from it. */
function portBase(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

async function getState(output: string): Promise<{ cameras: { deviceId: string; state: string; bytesOut: number; url: string }[] }> {
  const url = /state: (http:\/\/\S+)/.exec(output)![1]!;
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return (await response.json()) as never;
}

describe('arlo-rtsp demo', () => {
  it('walks sign-in, devices, address and enrollment through the simulators, prints URLs ffmpeg plays and the web UI, and stops with TEARDOWN', async () => {
    const cli = startCli(['demo', '--http', '127.0.0.1:0', '--port-base', String(portBase())]);
    await waitFor(() => /state: http/.test(cli.output()), 30_000, `the demo to start; output: ${cli.output()}`);
    const output = cli.output();
    // The user's path, in order: the code "emailed", the sign-in it completes, devices, typed address, enrollment.
    const code = /sent a verification code by EMAIL to mfa@example\.com: (\d{6})/.exec(output)?.[1];
    assert.ok(code, output);
    assert.match(output, /signed in as mfa@example\.com/);
    assert.match(output, /found base station Home base \(VMB5000, MFABS5000\) with cameras: Driveway 4K \(avc\+hevc\), Back door \(avc\)/);
    assert.match(output, /mDNS cannot find a simulator.*typed its address 127\.0\.0\.1:\d+/);
    assert.match(output, /enrollment of MFABS5000: Home base: enrolled, certificate valid until /);
    const steps = ['verification code', 'signed in as', 'found base station', 'typed its address', 'enrollment of', 'web UI:'].map((s) => output.indexOf(s));
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'the steps are printed in the order a user takes them');
    const urls = [...output.matchAll(/: (rtsp:\/\/\S+)/g)].map((m) => m[1]!);
    assert.deepEqual(urls.map((u) => u.split('/').at(-1)), ['MFACAM4K01', 'MFACAMHD01'], output);

    const decoded = await ffmpegDecode(urls[0]!, { frames: 30 });
    assert.equal(decoded.errors, '');
    assert.ok(decoded.frames >= 30);
    const state = await getState(output);
    const camera = state.cameras.find((c) => urls[0]!.endsWith(c.deviceId))!;
    assert.ok(camera.bytesOut > 0, 'bytes out counted');
    assert.ok(['media', 'idle'].includes(camera.state));
    const ui = await fetch(/web UI: (http:\/\/\S+)/.exec(output)![1]!);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<div id="root">/);

    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.output());
    const summary = /(\d+) sessions, (\d+) TEARDOWNs with a valid Nonce, (\d+) Nonce violations/.exec(cli.output());
    assert.ok(summary, cli.output());
    assert.equal(summary[1], '1');
    assert.equal(summary[2], '1', 'the session ended with TEARDOWN');
    assert.equal(summary[3], '0');
    const dataDir = /data dir (\S+) \(removed at exit\)/.exec(output)?.[1];
    assert.ok(dataDir, output);
    await assert.rejects(stat(dataDir), { code: 'ENOENT' }, 'the temporary data dir is removed');
  });

  it('refuses a data dir that already holds data, saying what to do', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'arlo-demo-used-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(join(dataDir, 'settings.json'), '{}');
    const cli = startCli(['--data-dir', dataDir, 'demo', '--http', '127.0.0.1:0']);
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /already holds data that is not a demo's; give a new or empty --data-dir/);
  });
});

describe('arlo-rtsp serve', () => {
  it('serves an enrolled camera at a typed base-station address and tears down on SIGINT', async () => {
    const { station, dataDir, address, close } = await enrolledStation();
    cleanups.push(close);
    const cli = startCli([
      '--data-dir', dataDir, 'serve', '--basestation', address,
      '--port-base', String(portBase()), '--http', '127.0.0.1:0',
    ], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE });
    await waitFor(() => /state: http/.test(cli.output()), 30_000, `serve to start; output: ${cli.output()}`);
    const url = /Porch \(CAM1\): (rtsp:\/\/\S+)/.exec(cli.output())?.[1];
    assert.ok(url, cli.output());

    const decoded = await ffmpegDecode(url, { frames: 20 });
    assert.equal(decoded.errors, '');
    assert.ok(decoded.frames >= 20);
    assert.equal((await getState(cli.output())).cameras[0]?.deviceId, 'CAM1');

    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0, cli.output());
    assert.equal(station.stats.sessionsOpened, 1);
    assert.equal(station.stats.teardownsWithValidNonce, 1);
    assert.equal(station.stats.activeSessions, 0);
    assert.equal(station.stats.nonceViolations, 0);
  });

  it('serving the LAN, shows the password nowhere: not in its output or log, /api/state or the events socket', async () => {
    const planted = 'planted-LAN-pw-93x';
    const { dataDir, address, close } = await enrolledStation({ username: 'viewer', password: planted });
    cleanups.push(close);
    const cli = startCli([
      '--data-dir', dataDir, 'serve', '--basestation', address,
      '--port-base', String(portBase()), '--http', '127.0.0.1:0',
    ], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE, ARLO_RTSP_LOG_LEVEL: 'debug' });
    await waitFor(() => /state: http/.test(cli.output()), 30_000, `serve to start; output: ${cli.output()}`);
    const url = /Porch \(CAM1\): (rtsp:\/\/\S+)/.exec(cli.output())?.[1];
    assert.ok(url, cli.output());
    assert.equal(new URL(url).username, 'viewer');
    assert.equal(new URL(url).password, '', 'the printed URL has no password');
    // It plays with the password added (through loopback, though the port listens on every address).
    const playable = new URL(url);
    playable.hostname = '127.0.0.1';
    playable.password = planted;
    const decoded = await ffmpegDecode(playable.href, { frames: 20 });
    assert.ok(decoded.frames >= 20, decoded.errors);

    const stateUrl = /state: (http:\/\/\S+)/.exec(cli.output())![1]!;
    const state = await (await fetch(stateUrl)).text();
    assert.ok(state.includes('viewer@'), state);
    const events = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(stateUrl.replace(/^http/, 'ws').replace(/\/api\/state$/, '/api/events'));
      ws.on('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
      ws.on('error', reject);
    });
    assert.match(events, /"type":"state"/);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0, cli.output());
    for (const [where, text] of [['output and log', cli.output()], ['/api/state', state], ['events', events]] as const) {
      assert.ok(!text.includes(planted), `the LAN password is in the ${where}`);
    }
  });
});
