// The loopback access token from the web UI, in Debian's Chromium (playwright-core) against the real
// `arlo-rtsp demo`: the tab that turns "Require the access token on this computer too" on keeps
// working (its calls, its state and its live view), and is shown the address to bookmark; a tab
// opened without the token is told what to do; one opened with `?token=` works and takes the token
// out of the address bar.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { startDemo, webUiOf, type RunningCli } from '../support/run-cli.js';

const CAMERA = 'Back door';

let demo: RunningCli;
let webUrl: string;
let browser: Chromium;
const children: ChildProcess[] = [];

before(async () => {
  demo = startDemo();
  children.push(demo.child);
  webUrl = await webUiOf(demo);
  browser = await launchChromium('ui-token-chromium', { viewport: { width: 1100, height: 900 }, timeoutMs: 30_000 });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Waits until the page's live view has played `seconds` (the page's CSP forbids evaluating strings). */
async function livePlays(page: Page, seconds: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const played = (): number => {
    const video = (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }).document.querySelector('video.live-video');
    return video?.currentTime ?? 0;
  };
  while ((await page.evaluate(played)) < seconds) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the live view to play');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the access token on loopback, from the web UI', () => {
  it('the tab that turns it on keeps working and gets the address to bookmark; other tabs need that address', async () => {
    const tab = await newPage();
    await tab.goto(webUrl);
    await tab.getByRole('listitem', { name: CAMERA }).waitFor();
    await tab.getByRole('button', { name: 'Settings' }).click();
    await tab.getByLabel('Require the access token on this computer too').check();
    await tab.getByRole('button', { name: 'Save settings' }).click();
    await tab.getByText('Saved.').waitFor();
    const note = await tab.getByText(/Bookmark this address/).textContent();
    const bookmark = /(http:\/\/\S+\?token=[A-Za-z0-9_-]+)/.exec(note ?? '')?.[1];
    assert.ok(bookmark, `the address to bookmark is shown: ${note}`);

    const anonymous = await fetch(`${webUrl}/api/state`);
    assert.equal(anonymous.status, 401, 'the setting took effect');

    // The same tab: its calls, its events and its live view work with the token it was given.
    await tab.getByRole('button', { name: 'Cameras' }).click();
    const card = tab.getByRole('listitem', { name: CAMERA });
    await card.getByRole('button', { name: 'Watch' }).click();
    await livePlays(tab, 1);
    await tab.getByRole('button', { name: 'Close live view' }).click();
    await tab.reload();
    await tab.getByRole('listitem', { name: CAMERA }).waitFor();

    // A tab opened without the token is told what to do.
    const stranger = await newPage();
    await stranger.goto(webUrl);
    const told = stranger.getByRole('alert').filter({ hasText: /This page needs the access token: open the web UI with its address ending in \?token=/ });
    await told.waitFor();
    // It runs: the page does not tell the user to wait for it to run again.
    assert.doesNotMatch((await told.textContent()) ?? '', /runs again|serve" printed/);
    assert.equal(await stranger.getByRole('listitem', { name: CAMERA }).count(), 0);

    // The bookmarked address works, and the token leaves the address bar.
    const bookmarked = await newPage();
    await bookmarked.goto(bookmark);
    await bookmarked.getByRole('listitem', { name: CAMERA }).waitFor();
    assert.ok(!bookmarked.url().includes('token='), bookmarked.url());
    await bookmarked.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await bookmarked.getByLabel('Require the access token on this computer too').isChecked(), true);
  });
});
