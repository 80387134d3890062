// A camera's streams in the web UI (Chromium via playwright-core, against the real `arlo-rtsp demo`
// over its HTTP binding): the card lists the native, H.264 and sub-stream URLs with what each
// carries, copies each to the clipboard, and gives "Use in..." snippets for Frigate (record the
// native stream, detect on /sub at its size), go2rtc and Home Assistant. The encoder is named on the
// page and in /metrics; a sub-stream width set in Settings reaches the card, and a viewer of /sub
// shows its transcoder running until it leaves.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { ffprobe } from '../support/stream-rig.js';
import { startDemo, webUiOf, type RunningCli } from '../support/run-cli.js';

const CAMERA = 'Back door';

let demo: RunningCli;
let webUrl: string;
let browser: Chromium;
let page: Page;
const children: ChildProcess[] = [];

interface StreamState { kind: string; url: string; width?: number; height?: number; transcoder?: string; viewers: number }
interface CameraState { deviceId: string; name: string; url: string; streams: StreamState[] }

async function camera(): Promise<CameraState> {
  const state = (await (await fetch(`${webUrl}/api/state`)).json()) as { cameras: CameraState[] };
  return state.cameras.find((c) => c.name === CAMERA)!;
}

function readClipboard(): Promise<string> {
  return (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText();
}

before(async () => {
  demo = startDemo();
  children.push(demo.child);
  webUrl = await webUiOf(demo);
  browser = await launchChromium('ui-streams-chromium', { viewport: { width: 1100, height: 1000 }, colorScheme: 'light', timeoutMs: 20_000 });
  page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webUrl });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
});

describe("a camera's streams in the web UI", () => {
  it('lists native, H.264 and sub URLs, copies them, and gives Frigate, go2rtc and Home Assistant snippets', async () => {
    const { url } = await camera();
    await page.goto(webUrl);
    const card = page.getByRole('listitem', { name: CAMERA });
    for (const [kind, suffix] of [['native', ''], ['h264', '/h264'], ['sub', '/sub']] as const) {
      assert.equal(await card.locator(`[data-url="${kind}"]`).textContent(), `${url}${suffix}`);
    }
    // An H.264 camera's /h264 is its own stream; /sub is made by ffmpeg on demand.
    assert.match((await card.locator('[data-stream-info="h264"]').textContent()) ?? '', /as the camera sends it/);
    assert.match((await card.locator('[data-stream-info="sub"]').textContent()) ?? '', /H\.264 640×360 5 fps, transcoded on demand/);
    await page.getByText(/H\.264 and sub-streams encoded with \S+ \((hardware|software)\)/).waitFor();

    const copySub = card.getByRole('button', { name: `Copy Sub-stream URL of ${CAMERA}` });
    await copySub.click();
    await card.locator('[data-stream="sub"] button', { hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(readClipboard), `${url}/sub`);

    await card.getByText('Use in...').click();
    const frigate = (await card.locator('[data-snippet="frigate"]').textContent()) ?? '';
    assert.match(frigate, new RegExp(`- path: ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}  #`));
    assert.match(frigate, /\/sub\n\s+input_args: preset-rtsp-generic\n\s+roles: \[detect\]/);
    assert.match(frigate, /roles: \[record\]/);
    assert.match(frigate, /width: 640\n\s+height: 360\n\s+fps: 5/);
    await card.getByRole('button', { name: `Copy the frigate snippet of ${CAMERA}` }).click();
    await card.locator('.use-in > button', { hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(readClipboard), frigate);

    await card.getByRole('button', { name: 'go2rtc' }).click();
    assert.match((await card.locator('[data-snippet="go2rtc"]').textContent()) ?? '', /^streams:\n {2}back_door: rtsp:\S+\n {2}back_door_h264: \S+\/h264\n {2}back_door_sub: \S+\/sub$/);
    await card.getByRole('button', { name: 'Home Assistant' }).click();
    assert.match((await card.locator('[data-snippet="home-assistant"]').textContent()) ?? '', /Generic Camera[\s\S]*Stream source URL: \S+\/h264/);
    await page.screenshot({ path: 'docs/screenshots/camera-streams.png' });

    const metrics = await (await fetch(`${webUrl}/metrics`)).text();
    assert.match(metrics, /^arlo_rtsp_transcoder_encoder_info\{encoder="[^"]+",hardware="(true|false)"\} 1$/m);
  });

  it('takes the sub-stream width from Settings and shows its transcoder while /sub has a viewer', { timeout: 120_000 }, async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel(/^Width \(pixels/).fill('320');
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.getByRole('button', { name: 'Cameras' }).click();
    const card = page.getByRole('listitem', { name: CAMERA });
    await card.locator('[data-stream-info="sub"]', { hasText: '320×180' }).waitFor({ timeout: 20_000 });

    const { url } = await camera();
    const [video] = (await ffprobe(`${url}/sub`)).filter((s) => s.codec_type === 'video');
    assert.deepEqual([video?.codec_name, video?.width, video?.height], ['h264', 320, 180]);

    const viewer = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', `${url}/sub`, '-map', '0:v', '-f', 'null', '-'], { stdio: 'ignore' });
    children.push(viewer);
    await card.locator('[data-stream-info="sub"]', { hasText: /transcoding, 1 watching/ }).waitFor({ timeout: 60_000 });
    viewer.kill('SIGTERM');
    await card.locator('[data-stream-info="sub"]', { hasText: /transcoded on demand$/ }).waitFor({ timeout: 30_000 });
  });
});
