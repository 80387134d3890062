// Forgetting a base station's pinned certificate (AppApi forgetPinnedCertificate; the UI's button and
// `arlo-rtsp basestation forget-pin` call it), with the real service, ffmpeg as the viewer and two
// simulated base stations of one account (a replaced or reset base station presents a new
// certificate): while the old pin stands the new certificate is refused before any request reaches
// it; once forgotten, the next connection plays and pins the new certificate, kept in the data dir.
// The pin is the base station's key as well as its certificate: a certificate re-issued on the same
// key (renewal, firmware update) plays on and the pinned certificate follows it; a pin stored by a
// version that pinned only the certificate gains the key at the next stream.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import { fingerprintOf, keyOf } from '../support/pin.js';
import { ffmpegDecode } from '../support/stream-rig.js';
import { enrolledStation, ENROLLED_PASSPHRASE } from '../support/enrolled-station.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

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
    assert.match((await camera()).error ?? '', /presented a different key than the one pinned.*forget its pinned certificate/);
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

  it('an old pin gains the key; a certificate re-issued on that key plays on and is pinned; a new key is refused', async () => {
    const enrolled = await enrolledStation();
    cleanups.push(enrolled.close);
    const cameras = [{ deviceId: 'CAM1', codecs: ['avc' as const] }];
    const first = await createSelfSignedServerCertificate('arlo-basestation.local');
    const reissued = await createSelfSignedServerCertificate('arlo-basestation.local', { keyPem: first.keyPem });
    assert.notEqual(fingerprintOf(reissued.certPem), fingerprintOf(first.certPem));
    assert.equal(keyOf(reissued.certPem), keyOf(first.certPem));
    let station = new SimBaseStation({ ca: enrolled.ca, cameras, identity: first });
    const { port } = await station.start();
    cleanups.push(() => station.stop());
    /** The base station restarts at its address with another identity (a firmware update, a replacement). */
    const restart = async (identity?: { certPem: string; keyPem: string }): Promise<void> => {
      await station.stop();
      station = new SimBaseStation({ ca: enrolled.ca, cameras, port, ...(identity ? { identity } : {}) });
      await station.start();
    };
    // A data dir written by a version that pinned only the certificate.
    const store = await openDataStore(enrolled.dataDir, { passphrase: ENROLLED_PASSPHRASE });
    await store.update((data) => { data.baseStations[0]!.pinnedFingerprint = fingerprintOf(first.certPem); });
    const kept = async () => (await (await openDataStore(enrolled.dataDir, { passphrase: ENROLLED_PASSPHRASE })).read()).baseStations[0]!;
    assert.equal((await kept()).pinnedKey, undefined);

    const service: AppService = await createAppService({
      dataDir: enrolled.dataDir, passphrase: ENROLLED_PASSPHRASE, logger: silentLogger, shell: 'web', discovery: false,
      overrides: { baseStationAddresses: { BASE1: { host: '127.0.0.1', port } }, portBase: 20_000 + Math.floor(Math.random() * 20_000) },
    });
    cleanups.push(() => service.close());
    const station1 = async () => (await service.getState()).baseStations.find((b) => b.deviceId === 'BASE1')!;
    const camera = async () => (await service.getState()).cameras.find((c) => c.deviceId === 'CAM1')!;
    await service.startCamera('CAM1');
    const { url } = await camera();

    assert.equal((await ffmpegDecode(url, { frames: 5, timeoutMs: 60_000 })).errors, '');
    assert.deepEqual([(await kept()).pinnedFingerprint, (await kept()).pinnedKey], [fingerprintOf(first.certPem), keyOf(first.certPem)], 'the key pinned beside the old pin');

    await restart(reissued);
    const renewed = await ffmpegDecode(url, { frames: 5, timeoutMs: 60_000 });
    assert.equal(renewed.errors, '', 'a re-issued certificate on the same key plays');
    assert.equal((await camera()).error, undefined);
    assert.equal(station.stats.sessionsOpened, 1);
    assert.equal((await station1()).pinnedFingerprint, fingerprintOf(reissued.certPem), 'the UI shows the certificate now presented');
    assert.deepEqual([(await kept()).pinnedFingerprint, (await kept()).pinnedKey], [fingerprintOf(reissued.certPem), keyOf(first.certPem)], 'kept in the data dir');

    await restart();
    const refused = await ffmpegDecode(url, { frames: 1, timeoutMs: 30_000 });
    assert.notEqual(refused.errors, '', 'the viewer gets no picture');
    assert.match((await camera()).error ?? '', /presented a different key than the one pinned.*forget its pinned certificate/);
    assert.equal(station.stats.sessionsOpened, 0, 'no session with a base station whose key is not the pinned one');
    assert.equal(station.stats.requests.length, 0, 'not one request');
    assert.deepEqual([(await kept()).pinnedFingerprint, (await kept()).pinnedKey], [fingerprintOf(reissued.certPem), keyOf(first.certPem)], 'the pin stands');
  });
});
