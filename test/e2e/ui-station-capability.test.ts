// A base station whose capabilities do not list local live streaming (`Capabilities.sipLiveStream`,
// PROTOCOL.md §7) is shown as such, with what Arlo said, not hidden: on its card in the web UI in
// Debian's Chromium (signed in and its devices fetched there), and by `arlo-rtsp devices`; one that lists it
// shows no such note. The simulated cloud serves the base station's capabilities without it.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArloAccount } from '../../src/main/arlo/account.js';
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { startSimCloud, type SimCloud, type SimCloudOptions } from '../../src/sim/cloud/index.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { runCli, startCli, webUiOf } from '../support/run-cli.js';

const PASSPHRASE = 'capability passphrase 4410';
const NOT_LISTED = /Arlo does not list local live streaming \(sipLiveStream\) for this base station: its capabilities do not list sipLiveStream\./;

const clouds: SimCloud[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
let browser: Chromium;

before(async () => {
  browser = await launchChromium('ui-capability-chromium', { viewport: { width: 1100, height: 900 }, timeoutMs: 30_000 });
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  await Promise.all(clouds.map((cloud) => cloud.close()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A new data dir, a simulated cloud shaped by `options`, and the env that reaches it. */
async function installation(options: SimCloudOptions) {
  const cloud = await startSimCloud(options);
  clouds.push(cloud);
  const dataDir = await mkdtemp(join(tmpdir(), 'arlo-capability-'));
  dirs.push(dataDir);
  return { cloud, dataDir, env: { ARLO_RTSP_PASSPHRASE: PASSPHRASE, ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl } };
}

/** An installation signed in (devices not fetched yet). */
async function signedIn(options: SimCloudOptions) {
  const { cloud, dataDir, env } = await installation(options);
  const account = new ArloAccount(await openDataStore(dataDir, { passphrase: PASSPHRASE }), silentLogger, { endpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl } });
  assert.deepEqual(await account.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password), { step: 'signed-in' });
  await account.close();
  return { dataDir, env };
}

const withoutSip: SimCloudOptions = { baseStationCapabilities: { Capabilities: { Streaming: { LocalStreaming: true } } } };

describe('a base station without sipLiveStream', () => {
  it('is shown as such on its card in the web UI, with what Arlo said', async () => {
    const { cloud, dataDir, env } = await installation(withoutSip);
    const serve = startCli(['--data-dir', dataDir, 'serve', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], env);
    children.push(serve.child);
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(await webUiOf(serve));
    await page.getByLabel('Email').fill(cloud.accounts.owner.email);
    await page.getByLabel('Password').fill(cloud.accounts.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Base stations' }).waitFor();
    await page.getByRole('button', { name: 'Refresh devices' }).click();
    const card = page.getByRole('listitem').filter({ hasText: 'Home base' });
    const note = card.getByRole('note');
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', NOT_LISTED);
    await page.close();
  });

  it('is shown as such by `arlo-rtsp devices`; one that lists it is not', async () => {
    const without = await signedIn(withoutSip);
    const listed = await runCli(['--data-dir', without.dataDir, 'devices'], without.env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /Home base \(VMB5000, OWNERBS5000\): not enrolled\n {2}Arlo does not list local live streaming/);
    assert.match(listed.stdout, NOT_LISTED);

    const odd = await signedIn({ baseStationCapabilities: { Capabilities: { sipLiveStream: { enabled: 1 } } } });
    const oddList = await runCli(['--data-dir', odd.dataDir, 'devices'], odd.env);
    assert.match(oddList.stdout, /its capabilities say sipLiveStream: \{"enabled":1\}\./);

    const usual = await signedIn({});
    const usualList = await runCli(['--data-dir', usual.dataDir, 'devices'], usual.env);
    assert.equal(usualList.code, 0, usualList.stderr);
    assert.doesNotMatch(usualList.stdout, /does not list local live streaming/);
  });
});
