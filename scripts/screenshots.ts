// `npm run screenshots`: the pictures in docs/screenshots/, made on purpose (tests never write into
// the tree). Walks the real `arlo-rtsp demo --first-run` in Debian's Chromium as a user does and
// saves each screen at 1280 px (NN-name.png, the README's) and 800 px wide (NN-name-800.png).
// Needs `npm run build` first (the demo serves dist/renderer), ffmpeg and /usr/bin/chromium.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SCREEN_WIDTHS, launchChromium } from '../test/support/chromium.js';
import { codesSentBy, startFirstRunDemo } from '../test/support/run-cli.js';
import { waitFor } from '../test/support/wait.js';

const OUT = 'docs/screenshots';
const CAMERA = 'Back door';
const HEIGHT = 900;

/** Saves `what` (the page, or one element of it) at every width; back at the first width after. */
async function shot(page: Page, name: string, what?: Locator): Promise<void> {
  for (const width of SCREEN_WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    const path = join(OUT, `${name}${width === SCREEN_WIDTHS[0] ? '' : `-${width}`}.png`);
    if (what) await what.screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
    console.log(`wrote ${path}`);
  }
  await page.setViewportSize({ width: SCREEN_WIDTHS[0], height: HEIGHT });
}

/** Runs in the page (its CSP forbids evaluating strings): how far the live view has played. */
function played(): number {
  const video = (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }).document.querySelector('video.live-video');
  return video?.currentTime ?? 0;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const { demo, webUrl, email, password, baseStationAddress } = await startFirstRunDemo();
const browser = await launchChromium('screenshots', { viewport: { width: SCREEN_WIDTHS[0], height: HEIGHT }, colorScheme: 'light', timeoutMs: 30_000 });
const viewers: ReturnType<typeof spawn>[] = [];
try {
  const { page } = browser;
  await page.goto(webUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  await shot(page, '01-sign-in-error');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const sent = codesSentBy(demo).length;
  await page.getByRole('button', { name: new RegExp(`Email a code to ${email}`) }).click();
  await page.getByLabel('Verification code').waitFor();
  await shot(page, '02-mfa-code');
  await waitFor(() => codesSentBy(demo).length > sent, 20_000, 'the code the simulated cloud sent');
  await page.getByLabel('Verification code').fill(codesSentBy(demo).at(-1)!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Base stations' }).waitFor();

  await page.getByRole('button', { name: 'Cameras', exact: true }).click();
  await page.getByText('Its base station is not enrolled yet').first().waitFor();
  await shot(page, '10-cameras-before-enrollment');
  await page.getByRole('button', { name: 'Base stations', exact: true }).click();
  await page.getByRole('button', { name: 'Enroll base station' }).click();
  await page.getByText('Enrolled', { exact: true }).waitFor();
  await page.getByLabel('Address (host or host:port)').fill(baseStationAddress);
  await page.getByRole('button', { name: 'Save address' }).click();
  await page.getByText(baseStationAddress, { exact: true }).waitFor();

  await page.getByRole('button', { name: 'Cameras', exact: true }).click();
  const card = page.getByRole('listitem', { name: CAMERA });
  await card.getByRole('button', { name: 'Start', exact: true }).click();
  const url = (await card.getByRole('link').textContent()) ?? '';
  viewers.push(spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' }));
  await card.locator('[data-state="media"]').waitFor();
  await card.getByRole('img', { name: `Last picture of ${CAMERA}` }).waitFor();
  await until(async () => !/^0 bit/.test((await card.locator('[data-stat="bitrate"]').textContent()) ?? ''), 'a bitrate');
  await shot(page, '04-cameras-streaming');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, '05-cameras-streaming-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The base station now has its certificate pinned; its Diagnose shows the TLS step.
  await page.getByRole('button', { name: 'Base stations', exact: true }).click();
  await page.getByRole('button', { name: 'Diagnose Home base' }).click();
  await page.getByText('Every check passed.').waitFor();
  await shot(page, '03-base-stations');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Listen address').fill('0.0.0.0');
  await page.getByRole('group', { name: 'LAN viewer credentials' }).waitFor();
  await shot(page, '06-settings');
  await page.getByLabel('Listen address').fill('127.0.0.1');

  await page.getByRole('button', { name: 'Cameras', exact: true }).click();
  await card.getByRole('button', { name: 'Watch' }).click();
  await until(async () => (await page.evaluate(played)) > 1.5, 'the live view to play');
  await shot(page, '07-live-view');
  await page.getByRole('button', { name: 'Close live view' }).click();
  await shot(page, '08-camera-card-thumbnail', card);

  // Past the daily cap (0 minutes): a new viewer is refused and the card says why.
  const capped = await fetch(`${webUrl}/api/call/updateSettings`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([{ batteryCapMinutes: 0 }]) });
  if (!capped.ok) throw new Error(`could not set the cap: ${await capped.text()}`);
  await card.locator('[data-notice="capped"]').waitFor();
  await shot(page, '09-daily-cap', card);
  await fetch(`${webUrl}/api/call/updateSettings`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([{ batteryCapMinutes: null }]) });
  await card.locator('[data-notice="capped"]').waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('[data-notice="without-cloud"]').waitFor();
  await shot(page, '11-signed-out');
} finally {
  for (const viewer of viewers) viewer.kill('SIGKILL');
  await browser.close();
  demo.child.kill('SIGTERM');
  await demo.exited;
}
