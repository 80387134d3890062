// The ONVIF setting in the web UI (Debian's Chromium, playwright-core) against the real
// `arlo-rtsp demo`: ticking "ONVIF" and saving makes each running camera an ONVIF device that the
// `onvif` npm package (Scrypted's ONVIF client) signs in to, reads main + sub profiles from and
// gets a stream URI that plays in ffprobe; unticking it takes the devices away. All on loopback:
// the demo listens on 127.0.0.1, so discovery joins the multicast group there only.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import onvif from 'onvif/promises/index.js';
import type { Page } from 'playwright-core';
import { ONVIF_PORT_OFFSET } from '../../src/shared/api.js';
import type { StateSummary } from '../../src/main/headless/web.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { startDemo, webUiOf, type RunningCli } from '../support/run-cli.js';
import { ffprobe } from '../support/stream-rig.js';
import { waitForAsync } from '../support/wait.js';

const CAMERA = 'Back door';

let demo: RunningCli;
let webUrl: string;
let browser: Chromium;
let page: Page;

async function state(): Promise<StateSummary> {
  return (await fetch(`${webUrl}/api/state`)).json() as Promise<StateSummary>;
}

/** Whether the setting shows ticked in a freshly loaded page (it is kept, not just in the form). */
async function onvifShown(): Promise<boolean> {
  await page.reload();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  return page.getByRole('checkbox', { name: 'ONVIF' }).isChecked();
}

async function setOnvif(on: boolean): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const box = page.getByRole('checkbox', { name: 'ONVIF' });
  if (on) await box.check();
  else await box.uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
}

before(async () => {
  demo = startDemo();
  webUrl = await webUiOf(demo);
  browser = await launchChromium('ui-onvif-chromium', { viewport: { width: 1100, height: 900 }, colorScheme: 'light', timeoutMs: 20_000 });
  page = browser.page;
  await page.goto(`${webUrl}/`);
});

after(async () => {
  demo?.child.kill('SIGKILL');
  await browser?.close();
});

describe('the ONVIF setting in the web UI', () => {
  it('ticked and saved, a running camera answers ONVIF clients with main + sub profiles and a stream that plays', { timeout: 90_000 }, async () => {
    const cameraNow = async () => (await state()).cameras.find((c) => c.name === CAMERA)!;
    await waitForAsync(async () => (await cameraNow()).running, 30_000, `${CAMERA} to run`);
    const port = (await cameraNow()).port + ONVIF_PORT_OFFSET;
    const answers = () => fetch(`http://127.0.0.1:${port}/onvif/device_service`, { method: 'POST', body: '' }).then(() => true, () => false);
    // Off by default: nothing listens there.
    assert.equal(await answers(), false);

    await setOnvif(true);
    assert.equal(await onvifShown(), true);
    // The device starts as the saved state is published.
    await waitForAsync(answers, 20_000, 'the ONVIF device to listen');
    const cam = new onvif.Cam({ hostname: '127.0.0.1', port, autoconnect: false });
    await cam.connect();
    const profiles = await cam.getProfiles() as { $: { token: string }; videoEncoderConfiguration: { encoding: string } }[];
    assert.deepEqual(profiles.map((p) => [p.$.token, p.videoEncoderConfiguration.encoding]), [['main', 'H264'], ['sub', 'H264']]);
    const { uri } = await (cam.getStreamUri as unknown as (options: object) => Promise<{ uri: string }>)({ protocol: 'RTSP', profileToken: 'main' });
    assert.equal(uri, (await cameraNow()).url);
    assert.equal((await ffprobe(uri)).find((s) => s.codec_type === 'video')?.codec_name, 'h264');

    await setOnvif(false);
    assert.equal(await onvifShown(), false);
    await waitForAsync(async () => !(await answers()), 20_000, 'the ONVIF device to stop');
  });
});
