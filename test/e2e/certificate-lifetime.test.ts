// Certificate lifetime warnings where a user and a monitor see them: a real `arlo-rtsp serve` with a
// certificate the simulated CA issued for 10 days (first warning, 14 days ahead) or 1 day (second,
// 2 days ahead): the web UI in Debian's Chromium shows it with the action that renews, `/healthz`
// answers 200 "degraded" (not down) naming the base station, and the log says it once. Then a
// certificate the base station accepted before and refuses now (revoked by the CA): the first
// viewer of the started camera meets the refusal, and the page shows the revoked warning, which says
// what probably happened and what to do.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { enrolledStation, ENROLLED_PASSPHRASE, type EnrolledCertificate, type EnrolledStation } from '../support/enrolled-station.js';
import { startCli, webUiOf, type RunningCli } from '../support/run-cli.js';
import { ffprobe } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const children: ChildProcess[] = [];
const stations: EnrolledStation[] = [];
let browser: Chromium;

before(async () => {
  browser = await launchChromium('certificate-lifetime', { viewport: { width: 1100, height: 820 }, timeoutMs: 30_000 });
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await browser?.close();
  for (const station of stations) await station.close();
});

async function serving(certificate: EnrolledCertificate): Promise<{ enrolled: EnrolledStation; cli: RunningCli; webUrl: string }> {
  const enrolled = await enrolledStation(undefined, certificate);
  stations.push(enrolled);
  const cli = startCli(
    ['--data-dir', enrolled.dataDir, 'serve', '--basestation', enrolled.address, '--http', '127.0.0.1:0', '--port-base', String(20_000 + Math.floor(Math.random() * 40_000))],
    { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE },
  );
  children.push(cli.child);
  return { enrolled, cli, webUrl: await webUiOf(cli) };
}

describe('certificate lifetime', () => {
  for (const { days, level, words } of [
    { days: 10, level: 'soon', words: /The certificate for Base expires in 9 days \(\d{4}-\d\d-\d\d\): sign in to Arlo and the app renews it by itself\./ },
    { days: 1, level: 'urgent', words: /The certificate for Base expires in 23 hours \(\d{4}-\d\d-\d\d\), and its cameras stop then: sign in to Arlo and the app renews it by itself\./ },
  ] as const) {
    it(`warns ${days === 10 ? '14' : '2'} days ahead in the UI, /healthz (degraded) and the log`, async () => {
      const { cli, webUrl } = await serving({ validDays: days });

      const health = await fetch(`${webUrl}/healthz`);
      assert.equal(health.status, 200, 'degraded, not down');
      const body = (await health.json()) as { status: string; baseStations: { deviceId: string; level: string; warning: string }[] };
      assert.equal(body.status, 'degraded');
      assert.deepEqual(body.baseStations.map((b) => [b.deviceId, b.level]), [['BASE1', level]]);
      assert.match(body.baseStations[0]!.warning, words);

      const page = await browser.context.newPage();
      await page.goto(webUrl);
      const shown = page.locator(`[data-certificate-warning="${level}"]`);
      await shown.waitFor();
      assert.match((await shown.textContent()) ?? '', words);
      await page.close();

      await waitFor(() => words.test(cli.output()), 10_000, `the warning in the log; output: ${cli.output()}`);
      assert.equal(cli.output().match(new RegExp(words.source, 'g'))?.length, 1, 'logged once');
    });
  }

  it('says what probably happened when the base station refuses a certificate it accepted before', async () => {
    const { enrolled, webUrl } = await serving({ accepted: true });
    enrolled.ca.revoke(enrolled.serial);
    const page = await browser.context.newPage();
    await page.goto(webUrl);
    await page.getByRole('button', { name: 'Start' }).first().click();
    await page.getByRole('button', { name: 'Stop' }).first().waitFor();
    const { url } = ((await (await fetch(`${webUrl}/api/state`)).json()) as AppState).cameras[0]!;
    await assert.rejects(ffprobe(url), 'the viewer meets the refusal');
    const shown = page.locator('[data-certificate-warning="revoked"]');
    await shown.waitFor({ timeout: 30_000 });
    const text = (await shown.textContent()) ?? '';
    assert.match(text, /Base now refuses the certificate it accepted before: it was most likely revoked because another enrollment used this installation's id/);
    assert.match(text, /sign in to Arlo and the app renews it by itself/);
    const health = (await (await fetch(`${webUrl}/healthz`)).json()) as { baseStations?: { level: string }[] };
    assert.deepEqual(health.baseStations?.map((b) => b.level), ['revoked']);
    await page.close();
  });
});
