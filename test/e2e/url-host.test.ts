// How request URLs name the base station (PROTOCOL.md §7): the POC names its IP with :554, Scrypted
// its mDNS host name with no port. A base station that answers 404 to one form plays with the next,
// through the engine and through `arlo-rtsp serve` with stock ffmpeg, the connection always to the
// address; the form that worked is remembered and used first next time; 0 Nonce violations throughout.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { UrlHostOutcome } from '../../src/main/stream/upstream.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import { ENROLLED_PASSPHRASE, enrolledStation } from '../support/enrolled-station.js';
import { startCli } from '../support/run-cli.js';
import { ffmpegDecode, rigsClosedAfterTests } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

/** The hosts the base station's request URLs named, in order, with the status each got. */
const named = (station: SimBaseStation) => station.stats.requests.map((r) => `${r.method} ${new URL(r.uri).host} ${r.status}`);

describe('request URLs that name the base station as it wants', () => {
  const rig = rigsClosedAfterTests();

  it('a base station that answers 404 to an IP and wants its host name plays in ffmpeg; the next session starts with the name', async () => {
    const r = await rig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { quirks: { urlHost: { wants: 'name', name: 'VMB5000-2.local' } } } });
    const outcomes: UrlHostOutcome[] = [];
    r.manager.on('urlHostWorked', (_id, outcome) => outcomes.push(outcome));
    const { url } = await r.endpoint('CAM', { lingerMs: 0, upstream: { ...upstreamOf(r), naming: { model: 'VMB5000', mdnsHostName: 'VMB5000-2.local.' } } });
    const decoded = await ffmpegDecode(url, { frames: 20 });
    assert.equal(decoded.errors, '');
    assert.ok(decoded.frames >= 20, `decoded ${decoded.frames} frames`);
    const first = named(r.station);
    assert.equal(first[0], `OPTIONS 127.0.0.1:${r.station.port} 404`, first.join(' | '));
    assert.ok(first.slice(1).every((line) => / VMB5000-2\.local 200$/.test(line)), first.join(' | '));
    assert.deepEqual(outcomes.map((o) => [o.used.form, o.refused.map((x) => `${x.form} ${x.status}`)]), [['mdns-name', ['address 404']]]);

    // The session lingers 0 s, so the next viewer gets a new one: it names the host name at once.
    await waitFor(() => r.station.stats.activeSessions === 0, 10_000, 'the first session to end');
    const before = r.station.stats.requests.length;
    assert.ok((await ffmpegDecode(url, { frames: 10 })).frames >= 10);
    const again = named(r.station).slice(before);
    assert.match(again[0] ?? '', / VMB5000-2\.local 200$/, again.join(' | '));
    assert.equal(r.station.stats.nonceViolations, 0);
  });

  it('one that wants the IP plays as today, even when a name worked last', async () => {
    const r = await rig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { quirks: { urlHost: { wants: 'address' } } } });
    const { url } = await r.endpoint('CAM', { upstream: { ...upstreamOf(r), naming: { model: 'VMB5000', lastWorked: 'model-name' } } });
    assert.ok((await ffmpegDecode(url, { frames: 20 })).frames >= 20);
    const lines = named(r.station);
    assert.equal(lines[0], 'OPTIONS VMB5000.local 404', lines.join(' | '));
    assert.ok(lines.slice(1).every((line) => line.includes(`127.0.0.1:${r.station.port} 200`)), lines.join(' | '));
  });

  it('a redirect to the host name it was named by stays at the address: the name is never resolved', async () => {
    const identity = await createSelfSignedServerCertificate('arlo-basestation.local');
    const wantsName = { urlHost: { wants: 'name', name: 'VMB5000.local' } } as const;
    const r = await rig({ cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], station: { identity, quirks: wantsName } });
    const redirecting = new SimBaseStation({ ca: r.ca, cameras: [{ deviceId: 'CAM', codecs: ['avc'] }], identity, quirks: { ...wantsName, redirect: { status: 302, to: `rtsp://VMB5000.local:${r.station.port}` } } });
    await redirecting.start();
    try {
      const { url } = await r.endpoint('CAM', { upstream: { ...upstreamOf(r), port: redirecting.port, naming: { model: 'VMB5000' } } });
      assert.ok((await ffmpegDecode(url, { frames: 20 })).frames >= 20);
      assert.deepEqual(named(redirecting), [`OPTIONS 127.0.0.1:${redirecting.port} 404`, 'OPTIONS VMB5000.local 200', 'DESCRIBE VMB5000.local 302']);
      assert.ok(named(r.station).every((line) => line.includes(`VMB5000.local:${r.station.port} 200`)), named(r.station).join(' | '));
      assert.equal(redirecting.stats.nonceViolations, 0);
    } finally {
      await redirecting.stop();
    }
  });

  function upstreamOf(r: Awaited<ReturnType<typeof rig>>) {
    return { baseStationId: 'BASE1', host: '127.0.0.1', port: r.station.port, certificatePem: r.identity.certPem, privateKeyPem: r.identity.keyPem };
  }
});

describe('arlo-rtsp serve and a base station that wants its name', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const cleanup of cleanups) await cleanup();
  });

  it('plays in ffmpeg with <model>.local when mDNS named nothing, keeps the form, and names it first after a restart', async () => {
    const { station, dataDir, address, close } = await enrolledStation(undefined, {}, undefined, { quirks: { urlHost: { wants: 'name', name: 'VMB5000.local' } } });
    cleanups.push(close);
    const serve = async () => {
      const cli = startCli(['--data-dir', dataDir, 'serve', '--basestation', address, '--port-base', String(20_000 + Math.floor(Math.random() * 20_000)), '--http', '127.0.0.1:0'], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE });
      children.push(cli.child);
      await waitFor(() => /state: http/.test(cli.output()), 30_000, `serve to start; output: ${cli.output()}`);
      const url = /Porch \(CAM1\): (rtsp:\/\/\S+)/.exec(cli.output())?.[1];
      assert.ok(url, cli.output());
      const decoded = await ffmpegDecode(url, { frames: 20 });
      assert.equal(decoded.errors, '');
      assert.ok(decoded.frames >= 20, `decoded ${decoded.frames} frames`);
      cli.child.kill('SIGINT');
      assert.equal(await cli.exited, 0, cli.output());
    };

    await serve();
    const first = named(station);
    assert.equal(first[0], `OPTIONS 127.0.0.1:${station.port} 404`, first.join(' | '));
    assert.ok(first.slice(1).every((line) => / VMB5000\.local 200$/.test(line)), first.join(' | '));
    const store = await openDataStore(dataDir, { passphrase: ENROLLED_PASSPHRASE });
    assert.equal((await store.read()).baseStations[0]?.urlHostForm, 'model-name');

    const before = station.stats.requests.length;
    await serve();
    const again = named(station).slice(before);
    assert.ok(again.every((line) => / VMB5000\.local 200$/.test(line)), again.join(' | '));
    assert.equal(station.stats.nonceViolations, 0);
    assert.equal(station.stats.teardownsWithValidNonce, 2);
  });
});
