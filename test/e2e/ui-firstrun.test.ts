// The web UI end to end in Debian's Chromium (playwright-core), against the real `arlo-rtsp demo
// --first-run` in a child process: the first run through the simulated cloud with the MFA code the
// demo prints as it is "sent", enrollment, the base station's address typed, then a camera started
// and played by stock ffmpeg from the URL the page shows, with the media state and rising byte
// counts on the page; stopping it ends ffmpeg's stream, and the demo stops with TEARDOWN on SIGTERM.
// Screenshots of each screen go to docs/screenshots.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { startCli, type RunningCli } from '../support/run-cli.js';
import { waitFor } from '../support/wait.js';

const SCREENSHOTS = 'docs/screenshots';

let demo: RunningCli;
let webUrl: string;
let email: string;
let password: string;
let baseStationAddress: string;
let browser: Chromium;
let page: Page;
const children: ChildProcess[] = [];

/** The first capture of `pattern` in the demo's output, waiting for it to appear. */
async function printed(pattern: RegExp, what: string): Promise<string> {
  await waitFor(() => pattern.test(demo.output()), 30_000, `the demo to print ${what}; output: ${demo.output()}`);
  return pattern.exec(demo.output())![1]!;
}

/** Every verification code the demo printed so far, oldest first. */
function codesSent(): string[] {
  return [...demo.output().matchAll(/sent a verification code by EMAIL to \S+: (\d+)/g)].map((m) => m[1]!);
}

before(async () => {
  // A random port base keeps parallel test runs apart.
  demo = startCli(['demo', '--first-run', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))]);
  children.push(demo.child);
  webUrl = await printed(/^web UI: (http:\/\/\S+)$/m, 'the web UI address');
  email = await printed(/^ {2}email: +(\S+)$/m, 'the demo account');
  password = await printed(/^ {2}password: (.+)$/m, 'the password');
  baseStationAddress = await printed(/type it in\): (127\.0\.0\.1:\d+)$/m, "the base station's address");
  browser = await launchChromium('ui-chromium', { viewport: { width: 1100, height: 820 }, colorScheme: 'light', timeoutMs: 15_000 });
  page = browser.page;
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function bytesIn(card: Locator): Promise<number> {
  const text = (await card.locator('[data-stat="bytes-in"]').textContent()) ?? '';
  const match = /([\d.]+) (B|KB|MB|GB)/.exec(text);
  assert.ok(match, `bytes in reads "${text}"`);
  return Number(match[1]) * { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as 'B'];
}

describe('first run and streaming in the web UI', () => {
  it('signs in with an emailed MFA code', async () => {
    await page.goto(webUrl);
    await page.getByRole('heading', { name: 'Sign in to Arlo' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /password/i }).waitFor();
    await shot('01-sign-in-error');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const sentBefore = codesSent().length;
    await page.getByRole('button', { name: new RegExp(`Email a code to ${email}`) }).click();
    await page.getByLabel('Verification code').waitFor();
    await shot('02-mfa-code');
    await waitFor(() => codesSent().length > sentBefore, 20_000, 'the demo to print the code the simulated cloud sent');
    await page.getByLabel('Verification code').fill(codesSent().at(-1)!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Base stations' }).waitFor();
  });

  it('enrolls the base station and takes a typed address: a bare IP, one with its port; wrong ones are told in words', async () => {
    await page.getByRole('button', { name: 'Enroll base station' }).click();
    await page.getByText('Enrolled', { exact: true }).waitFor();
    const field = page.getByLabel('Address (host or host:port)');
    const save = page.getByRole('button', { name: 'Save address' });
    // The field's own example, without a port: over JSON the absent port arrives as null.
    await field.fill('192.168.1.20');
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
    await field.fill(baseStationAddress);
    await save.click();
    await page.getByText(baseStationAddress, { exact: true }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the saved address clears the last error');
    await shot('03-base-stations');
    await page.getByRole('button', { name: 'Go to cameras' }).click();
    await page.getByRole('heading', { name: 'Cameras' }).waitFor();
  });

  it('starts a camera that ffmpeg plays from the shown URL, with live state and counters, and stops it', async () => {
    const card = page.getByRole('listitem', { name: 'Back door' });
    await card.getByRole('button', { name: 'Start' }).click();
    await card.getByRole('button', { name: 'Stop' }).waitFor();
    const url = (await card.getByRole('link').textContent()) ?? '';
    assert.match(url, /^rtsp:\/\/127\.0\.0\.1:\d+\//);

    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(ffmpeg);
    let stderr = '';
    ffmpeg.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => ffmpeg.on('exit', (code) => resolve(code)));

    await card.locator('[data-state="media"]').waitFor({ timeout: 20_000 });
    const first = await bytesIn(card);
    await page.waitForTimeout(2500);
    const second = await bytesIn(card);
    assert.ok(second > first, `bytes in rise while ffmpeg plays (${first} → ${second})`);
    assert.equal((await card.locator('[data-stat="viewers"]').textContent())?.trim(), '1');
    assert.doesNotMatch((await card.locator('[data-stat="bitrate"]').textContent()) ?? '', /^0 bit/);
    await shot('04-cameras-streaming');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('05-cameras-streaming-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await card.getByRole('button', { name: 'Stop' }).click();
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
    assert.notEqual(code, 'still running', `stopping the camera ends the viewer’s stream (ffmpeg: ${stderr})`);
    await card.getByRole('button', { name: 'Start' }).waitFor();
    await card.locator('[data-state="idle"]').waitFor();
  });

  it('diagnoses a camera: every check passes, with PLAY measured', async () => {
    const card = page.getByRole('listitem', { name: 'Back door' });
    await card.getByRole('button', { name: 'Diagnose Back door' }).click();
    await card.getByText('Every check passed.').waitFor({ timeout: 40_000 });
    await card.locator('li[data-status="pass"]').filter({ hasText: 'TLS handshake' }).waitFor();
    assert.match((await card.locator('li').filter({ hasText: '✓ PLAY (' }).textContent()) ?? '', /H\.264 \d+x\d+, [\d.]+ fps/);
  });

  it('shows settings with LAN credentials required beyond loopback', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Listen address').fill('0.0.0.0');
    await page.getByRole('group', { name: 'LAN viewer credentials' }).waitFor();
    await shot('06-settings');
    await page.getByLabel('Listen address').fill('127.0.0.1');
    await page.getByLabel('Keep the camera connected after the last viewer leaves (seconds)').fill('5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
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
