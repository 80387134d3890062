// The CLI as a newcomer meets it, mistakes included: --version, each command's help naming
// --data-dir, a bad --listen refused in one plain line before anything is created or logged, a
// data dir that does not exist named (with "login") instead of silently made, the --require-token
// help without commander's preset text, and a busy web port said before the demo signs in.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const scratch = await mkdtemp(join(tmpdir(), 'cli-first-contact-'));
after(() => rm(scratch, { recursive: true, force: true }));

const env = { ARLO_RTSP_LOG_LEVEL: 'info' };
const exists = (path: string) => stat(path).then(() => true, () => false);

describe('arlo-rtsp, first contact', { timeout: 180_000 }, () => {
  it('prints its version with --version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('lists --data-dir in the help of demo (and of every command)', async () => {
    for (const command of ['demo', 'serve', 'doctor']) {
      const result = await runCli([command, '--help'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /--data-dir <dir> +where settings, certificates and secrets live/, `${command} --help`);
    }
  });

  it('says --require-token takes yes or no without commander\'s "(preset: ...)"', async () => {
    const result = await runCli(['serve', '--help'], env);
    assert.match(result.stdout, /--require-token \[yes\|no\]/);
    assert.doesNotMatch(result.stdout, /preset/);
  });

  it('refuses serve --listen 300.1.1.1 in one plain line, with no log line before it and no data dir made', async () => {
    const dataDir = join(scratch, 'listen', 'data');
    const result = await runCli(['--data-dir', dataDir, 'serve', '--listen', '300.1.1.1', '--http', '127.0.0.1:0'], env);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim(), 'arlo-rtsp: Listen address "300.1.1.1" is not an IP address (127.0.0.1 for this computer only, 0.0.0.0 for the LAN).');
    assert.equal(await exists(join(scratch, 'listen')), false, 'nothing was created');
  });

  it('names a data dir that does not exist and "arlo-rtsp login", creating nothing (devices, enroll, doctor, forget-pin)', async () => {
    const dataDir = join(scratch, 'nonexistent', 'x');
    for (const args of [['devices'], ['enroll'], ['doctor'], ['basestation', 'forget-pin', 'BASE1']]) {
      const result = await runCli(['--data-dir', dataDir, ...args], env);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(
        result.stderr.trim(),
        `arlo-rtsp: ${dataDir} holds no Arlo Local RTSP data yet: sign in first with "arlo-rtsp --data-dir ${dataDir} login" (or give the --data-dir you signed in with). Nothing was created.`,
        args.join(' '),
      );
      assert.equal(await exists(join(scratch, 'nonexistent')), false, `${args.join(' ')} created nothing`);
    }
  });

  it('with the web port busy, the demo stops before signing in or enrolling and names --http', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const result = await runCli(['demo', '--http', `127.0.0.1:${port}`, '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], env, undefined, 120_000);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, new RegExp(`the web port ${port} on 127\\.0\\.0\\.1 is already in use: choose another with --http HOST:PORT`));
      assert.doesNotMatch(result.stdout, /signed in as|enrollment of/, 'no sign-in or enrollment happened first');
      assert.match(result.stdout, /simulated base station: 0 sessions/);
    } finally {
      busy.close();
    }
  });
});
