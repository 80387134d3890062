// Sign-in answers seen in the field (PROTOCOL.md §7), where the user sees them: the web UI of a real
// `arlo-rtsp serve` in Debian's Chromium, against the simulated cloud answering 9261 "Invalid factor
// data" to the verification start, then HTTP 429 (bot protection) before sign-in starts, then a
// firewall's 403 block page. Each is
// shown in plain words with what to do, never as Arlo's raw text.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { startCli, webUiOf } from '../support/run-cli.js';

let cloud: SimCloud;
let dataDir: string;
let browser: Chromium;
let page: Page;
let webUrl: string;
const children: ChildProcess[] = [];

before(async () => {
  cloud = await startSimCloud({ invalidFactorData: true });
  dataDir = await mkdtemp(join(tmpdir(), 'ui-signin-errors-'));
  const serve = startCli(['--data-dir', dataDir, 'serve', '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))], {
    ARLO_API_URL: cloud.apiUrl,
    ARLO_AUTH_URL: cloud.authUrl,
    ARLO_RTSP_PASSPHRASE: 'ui sign-in errors',
  });
  children.push(serve.child);
  webUrl = await webUiOf(serve);
  browser = await launchChromium('ui-signin-errors', { viewport: { width: 1100, height: 820 }, timeoutMs: 15_000 });
  page = browser.page;
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  await cloud?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function signIn(email: string, password: string): Promise<string> {
  await page.goto(webUrl);
  await page.getByRole('heading', { name: 'Sign in to Arlo' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}

describe('sign-in errors in the web UI', () => {
  it('explains 9261 "Invalid factor data" with what to do', async () => {
    const shown = await signIn(cloud.accounts.email.email, cloud.accounts.email.password);
    assert.match(shown, /refused the verification method \(error 9261/);
    assert.match(shown, /choose another method/);
    assert.doesNotMatch(shown, /Arlo said/);
  });

  it('explains a 429 from bot protection and points to the token', async () => {
    cloud.setTooManyRequests(true);
    const shown = await signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    assert.match(shown, /bot protection refused this app/);
    assert.match(shown, /paste a token/);
  });

  it("explains a firewall's block page (HTTP 403, Cloudflare's HTML) the same way", async () => {
    cloud.setTooManyRequests(false);
    cloud.setBotProtection(true);
    const shown = await signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    assert.match(shown, /bot protection refused this app/);
    assert.match(shown, /sign in from the desktop app, which uses a browser's network stack/);
    assert.doesNotMatch(shown, /Cloudflare|<html/i, 'none of the page');
  });
});
