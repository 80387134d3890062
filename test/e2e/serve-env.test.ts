// `arlo-rtsp serve` configured from the environment (containers, systemd units) exactly as from its
// flags, and a flag winning over its variable: serve runs as a child process against a simulated
// base station that only the given address reaches (the stored one is stale), and ffmpeg plays the
// URL it prints.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { SERVE_ENV } from '../../src/main/headless/commands/serve.js';
import { ffmpegDecode } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';
import { enrolledStation, ENROLLED_PASSPHRASE } from '../support/enrolled-station.js';
import { startCli } from '../support/run-cli.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

function portBase(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/**
 * Runs serve with `args` and `env` until it prints its URLs, plays the camera URL with ffmpeg, stops
 * it with SIGTERM; returns the camera and web URLs it printed.
 */
async function serveAndPlay(args: (address: string) => string[], env: (address: string) => Record<string, string>): Promise<{ camera: URL; web: URL }> {
  const { dataDir, address, close } = await enrolledStation();
  cleanups.push(close);
  const cli = startCli(['--data-dir', dataDir, 'serve', ...args(address)], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE, ...env(address) });
  children.push(cli.child);
  await waitFor(() => /state: http/.test(cli.output()) || cli.child.exitCode !== null, 30_000, `serve to start; output: ${cli.output()}`);
  const camera = /Porch \(CAM1\): (rtsp:\/\/\S+)/.exec(cli.output())?.[1];
  const web = /web UI: (http:\/\/\S+)/.exec(cli.output())?.[1];
  assert.ok(camera && web, cli.output());
  const decoded = await ffmpegDecode(camera, { frames: 10 });
  assert.equal(decoded.errors, '');
  assert.ok(decoded.frames >= 10, 'the camera plays: the base station was reached at the given address');
  cli.child.kill('SIGTERM');
  assert.equal(await cli.exited, 0, cli.output());
  return { camera: new URL(camera), web: new URL(web) };
}

describe('serve options from the environment', () => {
  it('every variable configures serve as its flag does', async () => {
    const base = portBase();
    const http = portBase();
    const { camera, web } = await serveAndPlay(() => [], (address) => ({
      [SERVE_ENV.listen]: '127.0.0.2',
      [SERVE_ENV.portBase]: String(base),
      // Several at once, as repeated flags: the last address given for a base station counts.
      [SERVE_ENV.basestation]: `BASE1=192.0.2.9, ${address}`,
      [SERVE_ENV.http]: `127.0.0.1:${http}`,
    }));
    assert.equal(camera.hostname, '127.0.0.2');
    assert.equal(camera.port, String(base));
    assert.equal(web.port, String(http));
  });

  it('a flag wins over its variable', async () => {
    const base = portBase();
    const { camera, web } = await serveAndPlay(
      (address) => ['--listen', '127.0.0.1', '--port-base', String(base), '--basestation', address, '--http', '127.0.0.1:0'],
      // Every variable set to something that would fail or differ.
      () => ({
        [SERVE_ENV.listen]: '127.0.0.3',
        [SERVE_ENV.portBase]: 'not a port',
        [SERVE_ENV.basestation]: 'BASE1=192.0.2.1:554',
        [SERVE_ENV.http]: 'nonsense',
      }),
    );
    assert.equal(camera.hostname, '127.0.0.1');
    assert.equal(camera.port, String(base));
    assert.notEqual(web.port, '');
  });

  it('a bad value in a variable is a clear error', async () => {
    const { dataDir, close } = await enrolledStation();
    cleanups.push(close);
    const cli = startCli(['--data-dir', dataDir, 'serve'], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE, [SERVE_ENV.http]: 'nonsense' });
    children.push(cli.child);
    assert.equal(await cli.exited, 1);
    assert.match(cli.output(), /--http wants HOST:PORT.*not "nonsense"/);
  });
});
