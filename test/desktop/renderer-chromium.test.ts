// The renderer as the desktop window loads it: dist/renderer/index.html from file://, in Debian's
// Chromium, with the file:// privileges Electron's default fuses give (GrantFileProtocolExtraPrivileges
// on: file pages may load file subresources, module scripts included; plain Chromium needs
// --allow-file-access-from-files for that). Its bridge is the real one: every call goes through the
// bundled preload and ipcMain of the built main process running in the harness, which signs in to
// the simulated cloud. The page must work with its Content-Security-Policy and raise no violation.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiResult } from '../../src/shared/bridge.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { preloadStandIn } from './harness/chromium-page.js';
import { launchDesktop, tempHome, until, type DesktopApp } from './harness/driver.js';

let cloud: SimCloud;
let home: { path: string; remove(): Promise<void> };
let app: DesktopApp;
let windowId: number;
let windowUrl: string;
let browser: Chromium;
let page: Page;
const violations: string[] = [];

before(async () => {
  cloud = await startSimCloud();
  home = await tempHome();
  app = launchDesktop({ home: home.path, env: { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl } });
  const ready = await until(app, async () => {
    const s = await app.snapshot();
    return s.windows[0]?.url ? s : undefined;
  }, 'the window', 60_000);
  windowId = ready.windows[0]!.id;
  windowUrl = ready.windows[0]!.url;
  browser = await launchChromium('renderer-chromium', { fileAccess: true, timeoutMs: 20_000 });
  page = browser.page;
  // The preload's bridge, answered by the harness's window through the real preload and ipcMain.
  await page.exposeFunction('__harnessCall', (method: string, args: unknown[]) => app.op<ApiResult>('rendererCall', { windowId, method, args }));
  await page.addInitScript({ content: preloadStandIn() });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
});

after(async () => {
  await browser?.close();
  app?.kill();
  await cloud?.close();
  await home?.remove();
});

describe('the renderer from file:// in Chromium', () => {
  it('loads as the window loads it, signs in through the real preload and IPC, with no CSP violation', async () => {
    assert.match(windowUrl, /^file:\/\/.*\/dist\/renderer\/index\.html$/);
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
    await page.goto(windowUrl);
    await page.getByRole('heading', { name: 'Sign in to Arlo' }).waitFor();
    // The stylesheet applied (a file:// subresource under style-src 'self').
    const font = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
    assert.notEqual(font, '', 'styles.css applied');

    await page.getByLabel('Email').fill(cloud.accounts.owner.email);
    await page.getByLabel('Password').fill(cloud.accounts.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Base stations' }).waitFor();

    const reported = await page.evaluate<string[]>('window.__violations');
    assert.deepEqual([...reported, ...violations], [], 'no Content-Security-Policy violation, no page error');
    assert.deepEqual(failed, [], 'every file the page asked for loaded');
  });
});
