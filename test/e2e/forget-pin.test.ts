// Forgetting a base station's pinned certificate (AppApi forgetPinnedCertificate; the UI's button and
// `arlo-rtsp basestation forget-pin` call it), with the real service, ffmpeg as the viewer and two
// simulated base stations of one account (a replaced or reset base station presents a new
// certificate): while the old pin stands the new certificate is refused before any request reaches
// it; once forgotten, the next connection plays and pins the new certificate, kept in the data dir.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { ffmpegDecode } from '../support/stream-rig.js';
import { enrolledStation, ENROLLED_PASSPHRASE } from '../support/enrolled-station.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const fingerprintOf = (pem: string | undefined): string => new X509Certificate(pem!).fingerprint256;

describe('forget the pinned base-station certificate', () => {
  it('a different certificate is refused while pinned; after forgetting, the next connection plays and pins it', async () => {
    const enrolled = await enrolledStation();
    cleanups.push(enrolled.close);
    const service: AppService = await createAppService({
      dataDir: enrolled.dataDir, passphrase: ENROLLED_PASSPHRASE, logger: silentLogger, shell: 'web', discovery: false,
      overrides: { baseStationAddresses: { BASE1: { host: '127.0.0.1', port: enrolled.station.port } }, portBase: 20_000 + Math.floor(Math.random() * 20_000) },
    });
    cleanups.push(() => service.close());
    const station = async () => (await service.getState()).baseStations.find((b) => b.deviceId === 'BASE1')!;
    const camera = async () => (await service.getState()).cameras.find((c) => c.deviceId === 'CAM1')!;

    await service.startCamera('CAM1');
    const { url } = await camera();
    const first = await ffmpegDecode(url, { frames: 5, timeoutMs: 60_000 });
    assert.equal(first.errors, '');
    const original = fingerprintOf(enrolled.station.serverCertificatePem);
    assert.equal((await station()).pinnedFingerprint, original, 'pinned on first use');

    // The base station is replaced: same account (its CA trusts our client certificate), new certificate.
    const replacement = new SimBaseStation({ ca: enrolled.ca, cameras: [{ deviceId: 'CAM1', codecs: ['avc'] }] });
    await replacement.start();
    cleanups.push(() => replacement.stop());
    const replaced = fingerprintOf(replacement.serverCertificatePem);
    assert.notEqual(replaced, original);
    await service.setBaseStationAddress('BASE1', '127.0.0.1', replacement.port);

    const refused = await ffmpegDecode(url, { frames: 1, timeoutMs: 30_000 });
    assert.notEqual(refused.errors, '', 'the viewer gets no picture');
    assert.match((await camera()).error ?? '', /presented a different certificate/);
    assert.equal(replacement.stats.sessionsOpened, 0, 'no session with a base station we do not recognise');
    assert.equal((await station()).pinnedFingerprint, original, 'the pin stands');

    await service.forgetPinnedCertificate('BASE1');
    assert.equal((await station()).pinnedFingerprint, undefined);
    const replayed = await ffmpegDecode(url, { frames: 5, timeoutMs: 60_000 });
    assert.equal(replayed.errors, '', 'plays after forgetting');
    assert.equal(replacement.stats.sessionsOpened, 1);
    assert.equal((await station()).pinnedFingerprint, replaced, 'the new certificate is pinned');
    const kept = (await (await openDataStore(enrolled.dataDir, { passphrase: ENROLLED_PASSPHRASE })).read()).baseStations[0]!;
    assert.equal(kept.pinnedFingerprint, replaced, 'and kept in the data dir');
  });
});
