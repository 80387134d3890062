// A data dir the demo made stays the demo's: its first-run hint names the web UI and the demo
// account, never the real-cloud commands; `demo --data-dir` takes it again (afresh: the simulators
// are new every run); and every other command refuses it in words, before reaching any host
// beyond loopback or multicasting mDNS. A network guard loaded into each command records every
// attempt off loopback (and refuses it); run on a copy without the demo's mark, the same `doctor`
// would call Arlo's real hosts with the simulated token and multicast mDNS, which the guard sees.

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { runCli, startCli, type RunningCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';

const GUARD = new URL('../support/network-guard.mjs', import.meta.url);
const scratch = await mkdtemp(join(tmpdir(), 'demo-data-dir-'));
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) cli.child.kill('SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

const portBase = () => String(20_000 + Math.floor(Math.random() * 40_000));

/** Runs the demo on `dataDir` until its web UI is up, then stops it with SIGINT; answers its output. */
async function demoOnce(dataDir: string, ...extra: string[]): Promise<string> {
  const cli = startCli(['--data-dir', dataDir, 'demo', '--http', '127.0.0.1:0', '--port-base', portBase(), ...extra]);
  running.push(cli);
  await waitFor(() => /^web UI: http/m.test(cli.output()) || cli.child.exitCode !== null, 120_000, `the demo's web UI; output: ${cli.output()}`);
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0, cli.output());
  return cli.output();
}

/** `arlo-rtsp <args>` with the network guard, and what it tried off loopback. */
async function guarded(args: string[], name: string): Promise<{ code: number | null; stderr: string; attempts: string[] }> {
  const log = join(scratch, `${name}.network`);
  await writeFile(log, '');
  // No ARLO_API_URL / ARLO_AUTH_URL: a command that ignored the demo's mark would take Arlo's real hosts.
  const result = await runCli(args, { NODE_OPTIONS: `--import=${pathToFileURL(GUARD.pathname).href}`, ARLO_TEST_NETWORK_LOG: log, ARLO_RTSP_LOG_LEVEL: 'silent' }, undefined, 120_000);
  const attempts = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  return { code: result.code, stderr: result.stderr, attempts };
}

describe("the demo's data dir", { timeout: 600_000 }, () => {
  const dataDir = join(scratch, 'demo');

  it('first run: the hint names the web UI and the demo account, not "arlo-rtsp login" or "enroll"', async () => {
    const output = await demoOnce(dataDir, '--first-run');
    assert.match(output, /no camera is running yet: sign in with the demo account above and enroll in the web UI/);
    assert.doesNotMatch(output, /arlo-rtsp (login|enroll)/);
  });

  it('is taken again by "demo --data-dir", afresh, and walks the whole path there', async () => {
    const output = await demoOnce(dataDir);
    assert.match(output, /held an earlier demo's data: the simulated cloud and base station are new on every run, so the demo starts afresh there/);
    assert.match(output, /signed in as .+ through the simulated Arlo cloud/);
    assert.match(output, /enrollment of \S+: /);
  });

  it('is refused by every other command, in words, with nothing sent beyond loopback and no mDNS', async () => {
    const commands = [
      ['doctor'], ['devices'], ['enroll'], ['login', '--token', 'pasted-token-0000'], ['serve', '--http', '127.0.0.1:0'],
      ['basestation', 'forget-pin', 'BASE1'], ['import', '--basestation', 'BASE1', '--cert', 'peer.crt', '--key', 'private_key.key'],
    ];
    for (const args of commands) {
      const result = await guarded(['--data-dir', dataDir, ...args], args[0]!);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(
        result.stderr.trim(),
        `arlo-rtsp: ${dataDir} belongs to the demo: its Arlo cloud and base station are simulated and exist only while the demo runs. ` +
          `Run "arlo-rtsp demo --data-dir ${dataDir}" to use it (the web UI's Diagnose checks it there), or give another --data-dir for your own Arlo account.`,
        args.join(' '),
      );
      assert.deepEqual(result.attempts, [], `${args.join(' ')} tried the network beyond loopback`);
    }
  });

  it('without its mark, the same doctor would call the real Arlo hosts and multicast mDNS (the guard sees both)', async () => {
    const unmarked = join(scratch, 'unmarked');
    await cp(dataDir, unmarked, { recursive: true });
    const settingsFile = join(unmarked, 'settings.json');
    const settings = JSON.parse(await readFile(settingsFile, 'utf8')) as { settings: { demo?: true } };
    delete settings.settings.demo;
    await writeFile(settingsFile, JSON.stringify(settings));
    const result = await guarded(['--data-dir', unmarked, 'doctor'], 'unmarked');
    assert.ok(result.attempts.some((line) => /^tcp \S*arlo\.com$/.test(line)), `a real Arlo host was tried: ${result.attempts.join(', ')}`);
    assert.ok(result.attempts.includes('multicast 224.0.0.251'), `mDNS was joined: ${result.attempts.join(', ')}`);
  });
});
