// The web UI end to end in Debian's Chromium (playwright-core), against the real `arlo-rtsp demo
// --first-run` in a child process, every call over the real HTTP binding (JSON): a garbage pasted
// token refused in words; the first run through the simulated cloud with the MFA code the demo
// prints as it is "sent"; before enrollment the Cameras tab offers nothing that looks live;
// enrollment (its banner and dates readable), the base station's address typed bare, wrong, then
// with its port, "Find automatically" apart from "Save address"; a camera started and played by
// stock ffmpeg from the URL the page shows, with the media state and rising byte counts, its actions
// on one row; Copy URL into the clipboard, the codec and the battery switch; stopping it ends
// ffmpeg's stream; Diagnose of a camera and of the base station (its fingerprint wrapped in the
// card); LAN settings; signing out says the streams go on, and a pasted token signs in again; the
// demo stops with TEARDOWN on SIGTERM. Each screen fits at 1280 and 800 px (nothing scrolls sideways).

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openFileSecretStore } from '../../src/main/store/secret-file.js';
import { formatDate } from '../../src/shared/dates.js';
import { SCREEN_WIDTHS, assertFits, launchChromium, type Chromium } from '../support/chromium.js';
import { codesSentBy, startFirstRunDemo, type RunningCli } from '../support/run-cli.js';
import { waitFor, waitForAsync } from '../support/wait.js';

const CAMERA = 'Back door';
const ISO_DATE = /\d{4}-\d\d-\d\dT\d\d:/;

let demo: RunningCli;
let dataDir: string;
let webUrl: string;
let email: string;
let password: string;
let baseStationAddress: string;
let browser: Chromium;
let page: Page;
const children: ChildProcess[] = [];

const codesSent = (): string[] => codesSentBy(demo);

interface CameraState { name: string; codec: string; battery: boolean; batterySource: string; state: string }

/** The whole AppState, as the page gets it (GET /api/state leaves the settings out). */
async function appState(): Promise<{ settings: { listenAddress: string; lanUsername?: string; lanPasswordSet: boolean } }> {
  const response = await fetch(`${webUrl}/api/call/getState`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
  return (await response.json()) as { settings: { listenAddress: string; lanUsername?: string; lanPasswordSet: boolean } };
}

async function cameraState(name: string): Promise<CameraState> {
  const state = (await (await fetch(`${webUrl}/api/state`)).json()) as { cameras: CameraState[] };
  return state.cameras.find((c) => c.name === name)!;
}

before(async () => {
  // A data dir of the test's (plain secrets: no passphrase), so the test can read the token the sign-in kept.
  dataDir = await mkdtemp(join(tmpdir(), 'ui-firstrun-'));
  const started = await startFirstRunDemo(['--data-dir', dataDir], { ARLO_RTSP_PASSPHRASE: '' });
  ({ demo, webUrl, email, password, baseStationAddress } = started);
  children.push(demo.child);
  browser = await launchChromium('ui-chromium', { viewport: { width: 1280, height: 900 }, colorScheme: 'light', timeoutMs: 15_000 });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webUrl });
  page = browser.page;
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function bytesIn(card: Locator): Promise<number> {
  const text = (await card.locator('[data-stat="bytes-in"]').textContent()) ?? '';
  const match = /([\d.]+) (B|KB|MB|GB)/.exec(text);
  assert.ok(match, `bytes in reads "${text}"`);
  return Number(match[1]) * { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as 'B'];
}

/** The page's text has no ISO date (they are written as the user's locale writes dates). */
async function assertNoIsoDate(what: string): Promise<void> {
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, ISO_DATE, `${what}: ${text}`);
}

/** Reads the clipboard in the page (its CSP forbids evaluating strings, so this is a function). */
function readClipboard(): Promise<string> {
  return (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText();
}

describe('first run and streaming in the web UI', () => {
  it('refuses a garbage pasted token as not accepted (not as an expired sign-in)', async () => {
    await page.goto(webUrl);
    await page.getByRole('heading', { name: 'Sign in to Arlo' }).waitFor();
    await assertFits(page, 'the sign-in screen');
    await page.getByText('Sign-in refused by Arlo? Paste a token instead').click();
    await page.getByLabel('Token').fill('this-is-not-an-arlo-token-at-all');
    await page.getByRole('button', { name: 'Use token' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /Arlo did not accept that token/ });
    await alert.waitFor();
    assert.doesNotMatch((await alert.textContent()) ?? '', /expired/);
    await page.getByText('Sign-in refused by Arlo? Paste a token instead').click();
  });

  it('signs in with an emailed MFA code', async () => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /password/i }).waitFor();

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const sentBefore = codesSent().length;
    await page.getByRole('button', { name: new RegExp(`Email a code to ${email}`) }).click();
    await page.getByLabel('Verification code').waitFor();
    await assertFits(page, 'the verification code screen');
    await waitFor(() => codesSent().length > sentBefore, 20_000, 'the demo to print the code the simulated cloud sent');
    await page.getByLabel('Verification code').fill(codesSent().at(-1)!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Base stations' }).waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();
  });

  it('before enrollment, the Cameras tab shows no Start button and no URL, and leads to enrolling', async () => {
    await page.getByRole('button', { name: 'Cameras' }).click();
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByText('Its base station is not enrolled yet').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Start/ }).count(), 0, 'no Start button before enrollment');
    assert.equal(await page.getByRole('link').count(), 0, 'no camera URL before enrollment');
    assert.doesNotMatch(await page.locator('main').innerText(), /rtsp:\/\//);
    await assertFits(page, 'the Cameras tab before enrollment');
    await card.getByRole('button', { name: 'Go to base stations' }).click();
    await page.getByRole('heading', { name: 'Base stations' }).waitFor();
  });

  it('enrolls the base station (a readable banner and date) and takes a typed address: a bare IP, one with its port; wrong ones are told in words', async () => {
    const choose = page.getByLabel('Enroll with the button below');
    assert.equal(await choose.isChecked(), true, 'the labelled checkbox chooses the base station for enrollment');
    await assertFits(page, 'the base stations before enrollment');
    await page.getByRole('button', { name: 'Enroll base station' }).click();
    await page.getByText('Enrolled', { exact: true }).waitFor();
    const state = (await (await fetch(`${webUrl}/api/state`)).json()) as { baseStations: { certificateExpires: string }[] };
    const until = formatDate(state.baseStations[0]!.certificateExpires);
    await page.getByRole('status').filter({ hasText: `Home base: enrolled, certificate valid until ${until}.` }).waitFor();
    await page.getByText(`Certificate valid until ${until}`, { exact: true }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /no certificate yet/);
    await assertNoIsoDate('the base stations after enrollment');

    const field = page.getByLabel('Address (host or host:port)');
    const save = page.getByRole('button', { name: 'Save address' });
    const find = page.getByRole('button', { name: 'Find automatically' });
    // Two buttons, each its own action, whatever the field holds.
    assert.equal(await save.isDisabled(), true, 'nothing to save in an empty field');
    assert.equal(await find.isVisible(), true);
    // The field's own example, without a port: over JSON the absent port arrives as null.
    await field.fill('192.168.1.20');
    assert.equal(await find.isVisible(), true, '"Find automatically" stays itself while typing');
    await save.click();
    await page.getByText('192.168.1.20:554', { exact: true }).waitFor();
    for (const [typed, said] of [
      ['999.1.1.1', /"999\.1\.1\.1" is not an IP address: each of its four numbers is 0 to 255/],
      ['foo bar', /"foo bar" is not an address: it has a space in it/],
      ['192.168.1.20:99999', /Port 99999 does not exist: ports are 1 to 65535/],
    ] as const) {
      await field.fill(typed);
      await save.click();
      const alert = page.getByRole('alert').filter({ hasText: said });
      await alert.waitFor();
      assert.doesNotMatch((await alert.textContent()) ?? '', /Wrong arguments|Invalid input|expected/);
    }
    // "Find automatically" forgets the typed address (the demo's simulator is not on the LAN to be found).
    await find.click();
    await page.getByText('Address not found on the network yet').waitFor();
    assert.equal(await field.inputValue(), '');
    await field.fill(baseStationAddress);
    await save.click();
    await page.getByText(baseStationAddress, { exact: true }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the saved address clears the last error');
    await assertFits(page, 'the base stations after enrollment');
    await page.getByRole('button', { name: 'Go to cameras' }).click();
    await page.getByRole('heading', { name: 'Cameras' }).waitFor();
  });

  it('starts a camera that ffmpeg plays from the shown URL, with live state and counters, its actions on one row, and stops it', async () => {
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: 'Start', exact: true }).click();
    await card.getByRole('button', { name: 'Stop', exact: true }).waitFor();
    const url = (await card.locator('[data-url="native"]').textContent()) ?? '';
    assert.match(url, /^rtsp:\/\/127\.0\.0\.1:\d+\//);

    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(ffmpeg);
    let stderr = '';
    ffmpeg.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => ffmpeg.on('exit', (code) => resolve(code)));

    await card.locator('[data-state="media"]').waitFor({ timeout: 20_000 });
    const first = await bytesIn(card);
    await waitForAsync(async () => (await bytesIn(card)) > first, 10_000, 'bytes in to rise while ffmpeg plays');
    assert.equal((await card.locator('[data-stat="viewers"]').textContent())?.trim(), '1');
    await waitForAsync(async () => !/^0 bit/.test((await card.locator('[data-stat="bitrate"]').textContent()) ?? ''), 10_000, 'a bitrate above 0');
    await assertFits(page, 'the cameras, streaming');
    await page.emulateMedia({ colorScheme: 'dark' });
    await assertFits(page, 'the cameras, streaming, dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Stop, Watch, Copy snapshot URL and Diagnose share one row at each width (each stream's URL has
    // its copy button beside it, in the list of the camera's streams).
    const actions = ['Stop', 'Watch', `Copy snapshot URL of ${CAMERA}`, `Diagnose ${CAMERA}`];
    for (const width of SCREEN_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const tops = await Promise.all(actions.map(async (name) => (await card.getByRole('button', { name, exact: true }).boundingBox())?.y));
      assert.ok(tops.every((y) => y !== undefined && y === tops[0]), `the actions on one row at ${width} px: ${JSON.stringify(tops)}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await card.getByRole('button', { name: 'Stop', exact: true }).click();
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
    assert.notEqual(code, 'still running', `stopping the camera ends the viewer’s stream (ffmpeg: ${stderr})`);
    await card.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await card.locator('[data-state="idle"]').waitFor();
    // The last picture taken while it streamed survives a page reload, with its age, without waking it.
    await card.getByRole('img', { name: `Last picture of ${CAMERA}` }).waitFor();
    await page.reload();
    await card.getByRole('img', { name: `Last picture of ${CAMERA}` }).waitFor();
    await card.locator('[data-stat="picture-age"]').waitFor();
    assert.equal((await cameraState(CAMERA)).state, 'idle', 'the picture did not wake the camera');
  });

  it('copies the URL and the snapshot URL, switches the codec and the battery setting', async () => {
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: `Copy URL of ${CAMERA}` }).click();
    await card.getByRole('button', { name: `Copy URL of ${CAMERA}` }).filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(readClipboard), await card.locator('[data-url="native"]').textContent());
    await card.getByRole('button', { name: `Copy snapshot URL of ${CAMERA}` }).click();
    await waitForAsync(async () => /\/api\/cameras\/[^/]+\/snapshot\.jpg$/.test(await page.evaluate(readClipboard)), 5_000, 'the snapshot URL in the clipboard');

    // The 4K camera offers both codecs; the choice goes to the service and comes back in the state.
    const driveway = page.getByRole('listitem', { name: 'Driveway 4K' });
    await driveway.getByLabel('Codec').selectOption('hevc');
    await waitForAsync(async () => (await cameraState('Driveway 4K')).codec === 'hevc', 10_000, 'the codec to be H.265');
    await waitForAsync(async () => (await driveway.getByLabel('Codec').inputValue()) === 'hevc', 10_000, 'the page to show H.265');
    await driveway.getByLabel('Codec').selectOption('avc');
    await waitForAsync(async () => (await cameraState('Driveway 4K')).codec === 'avc', 10_000, 'the codec to be H.264 again');

    // The battery switch: the user's word over Arlo's, then Arlo's again.
    const battery = card.getByRole('checkbox', { name: /Runs on battery/ });
    assert.equal(await battery.isChecked(), true);
    await battery.click();
    await card.locator('[data-stat="battery-source"]').filter({ hasText: 'Mains power: your setting.' }).waitFor();
    assert.deepEqual(await cameraState(CAMERA).then((c) => [c.battery, c.batterySource]), [false, 'user']);
    await card.getByRole('button', { name: 'Go by what Arlo says' }).click();
    await card.locator('[data-stat="battery-source"]').filter({ hasText: 'Battery: reported by Arlo.' }).waitFor();
    assert.equal(await battery.isChecked(), true);
  });

  it('diagnoses a camera (every check passes, with PLAY measured) and the base station, its fingerprint inside the card', async () => {
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: `Diagnose ${CAMERA}` }).click();
    await card.getByText('Every check passed.').waitFor({ timeout: 40_000 });
    await card.locator('li[data-status="pass"]').filter({ hasText: 'TLS handshake' }).waitFor();
    assert.match((await card.locator('li').filter({ hasText: '✓ PLAY (' }).textContent()) ?? '', /H\.264 \d+x\d+, [\d.]+ fps/);
    await assertFits(page, 'a camera diagnosed');

    await page.getByRole('button', { name: 'Base stations' }).click();
    const station = page.getByRole('listitem').filter({ hasText: 'Home base' });
    await station.getByText('Pinned base-station certificate:').waitFor();
    await station.getByRole('button', { name: 'Diagnose Home base' }).click();
    await station.getByText('Every check passed.').waitFor({ timeout: 40_000 });
    await station.locator('li[data-status="pass"]').filter({ hasText: 'TLS handshake' }).waitFor();
    await assertFits(page, 'the base station diagnosed, with its pinned fingerprint');
    await assertNoIsoDate('the base station diagnosed');
  });

  it('saves LAN settings: credentials required beyond loopback, then back to this computer', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Listen address').fill('0.0.0.0');
    await page.getByRole('group', { name: 'LAN viewer credentials' }).waitFor();
    await page.getByLabel('Username').fill('viewer');
    await page.getByRole('button', { name: 'Generate a password' }).click();
    await assertFits(page, 'the settings with LAN credentials');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const { settings } = await appState();
    assert.deepEqual([settings.listenAddress, settings.lanUsername, settings.lanPasswordSet], ['0.0.0.0', 'viewer', true]);

    await page.getByLabel('Listen address').fill('127.0.0.1');
    await page.getByLabel('Keep the camera connected after the last viewer leaves (seconds)').fill('5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await waitForAsync(async () => (await appState()).settings.listenAddress === '127.0.0.1', 10_000, 'the listen address back on loopback');
  });

  it('signing out says the streams go on without the cloud; a pasted token signs in again', async () => {
    const token = await (await openFileSecretStore(dataDir)).get('arloToken');
    assert.ok(token, 'the sign-in kept a token');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const notice = page.locator('[data-notice="without-cloud"]');
    await notice.getByText('Signed out of Arlo.').waitFor();
    assert.match((await notice.textContent()) ?? '', /keep streaming on your network/);
    assert.equal(await page.getByText(/Signed in/).count(), 0, 'no "Signed in" beside a signed-out notice');
    assert.equal(await page.getByRole('heading', { name: 'Sign in to Arlo' }).count(), 0, 'the sign-in form waits to be asked for');
    await page.getByRole('button', { name: 'Cameras' }).click();
    await page.getByRole('listitem', { name: CAMERA }).getByRole('button', { name: 'Start', exact: true }).waitFor();
    await assertFits(page, 'the cameras, signed out');

    await notice.getByRole('button', { name: 'Sign in to Arlo' }).click();
    await page.getByText('Sign-in refused by Arlo? Paste a token instead').click();
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('Signed in with a pasted token').waitFor();
    assert.equal(await notice.count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Sign in to Arlo' }).count(), 0);
  });

  it('stops the demo cleanly on SIGTERM, with TEARDOWN and a valid Nonce upstream', async () => {
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exited, 0, demo.output());
    const summary = /(\d+) sessions, (\d+) TEARDOWNs with a valid Nonce, (\d+) Nonce violations/.exec(demo.output());
    assert.ok(summary, demo.output());
    assert.equal(summary[1], summary[2], 'every base-station session ended with TEARDOWN');
    assert.equal(summary[3], '0');
  });
});
