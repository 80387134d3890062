// `arlo-rtsp enroll` and `devices` end to end: a child process against the simulated cloud, and
// the stored certificate proven in a real mutual-TLS handshake with the simulated base station.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { startCloudAndStation } from '../support/cloud-station.js';
import { runCli } from '../support/run-cli.js';
import { formatDate } from '../../src/shared/dates.js';

const PASSPHRASE = 'cli enroll passphrase';
let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
const dirs: string[] = [];

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: () => [{ deviceId: 'OWNERCAMHD01', codecs: ['avc'] }] }));
});
after(async () => {
  await closeSim();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const cli = (args: string[], answer?: Parameters<typeof runCli>[2]) =>
  runCli(args, { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ARLO_RTSP_PASSPHRASE: PASSPHRASE }, answer);

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arlo-cli-enroll-'));
  dirs.push(dir);
  return dir;
}

async function tokenOf(who: 'owner' | 'friend'): Promise<string> {
  const dir = await dataDir();
  const login = await cli(['--data-dir', dir, 'login', '--email', cloud.accounts[who].email], async (stdin) => {
    stdin.write(`${cloud.accounts[who].password}\n`);
  });
  assert.equal(login.code, 0, login.stderr);
  return (await (await openDataStore(dir, { passphrase: PASSPHRASE })).secrets.get('arloToken')) ?? '';
}

function handshake(certPem: string, keyPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: station.port, cert: certPem, key: keyPem, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('secureConnect', () => socket.write('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nNonce: 0\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('RTSP/1.0 200')));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

describe('arlo-rtsp enroll', () => {
  it('enrolls with a token, lists the devices, and does not enroll twice', async () => {
    const token = await tokenOf('owner');
    const dir = await dataDir();
    const first = await cli(['--data-dir', dir, 'enroll', '--token', token]);
    assert.equal(first.code, 0, first.stderr);
    const store = await openDataStore(dir, { passphrase: PASSPHRASE });
    const record = (await store.read()).baseStations[0];
    // A first enrollment gives no reason; the date reads as the user's locale writes it, never ISO.
    const until = formatDate(record!.certificateExpires!);
    assert.match(first.stdout, new RegExp(`^enrolled: Home base: enrolled, certificate valid until ${until}\\.$`, 'm'));
    assert.doesNotMatch(first.stdout, /\d{4}-\d\d-\d\dT/);
    const key = await store.secrets.get('clientPrivateKey');
    assert.ok(record?.certificatePem && key);
    assert.equal(await handshake(record.certificatePem, key), true);

    const devices = await cli(['--data-dir', dir, 'devices']);
    assert.equal(devices.code, 0, devices.stderr);
    assert.ok(devices.stdout.includes(`Home base (VMB5000, OWNERBS5000): enrolled until ${until}`), devices.stdout);
    assert.doesNotMatch(devices.stdout, /\d{4}-\d\d-\d\dT/);
    assert.match(devices.stdout, /Driveway 4K \(VMC5040, OWNERCAM4K01\): port 855\d, avc\+hevc/);
    assert.match(devices.stdout, /Back door \(VMC2030, OWNERCAMHD01\): port 855\d, avc$/m);

    const again = await cli(['--data-dir', dir, 'enroll', '--basestation', 'OWNERBS5000']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^already-enrolled: Home base/m);
  });

  it('a shared account fails with the owner message and a non-zero exit', async () => {
    const dir = await dataDir();
    const result = await cli(['--data-dir', dir, 'enroll', '--token', await tokenOf('friend')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^failed: Home base: This account is shared with you; certificates can only be created by the owner account/m);
    assert.match(result.stderr, /^arlo-rtsp: 1 of 1 base station\(s\) could not be enrolled/m);
  });

  it('without a sign-in says what to do', async () => {
    const dir = await dataDir();
    const result = await cli(['--data-dir', dir, 'enroll']);
    assert.equal(result.code, 1);
    // An empty folder holds nothing a sign-in stored: the message names it and the command to run.
    assert.match(result.stderr, /^arlo-rtsp: .+ holds no Arlo Local RTSP data yet: sign in first with "arlo-rtsp --data-dir .+ login"/m);
  });
});
