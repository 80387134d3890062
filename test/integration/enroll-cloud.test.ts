// Enrollment end to end: the simulated cloud issues certificates from the same CA the simulated
// base station trusts, and a real mutual-TLS handshake shows which certificates still work.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ArloAccount } from '../../src/main/arlo/account.js';
import { ArloApiClient } from '../../src/main/arlo/api-client.js';
import { ArloError } from '../../src/main/arlo/errors.js';
import { ArloHttp } from '../../src/main/arlo/http.js';
import { publicKeyForCloud } from '../../src/main/enroll/key-pair.js';
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { DataStore } from '../../src/main/store/types.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';
import { startCloudAndStation } from '../support/cloud-station.js';

let cloud: SimCloud;
let station: SimBaseStation;
let closeSim: () => Promise<void>;
const dirs: string[] = [];
const accounts: ArloAccount[] = [];

before(async () => {
  ({ cloud, station, close: closeSim } = await startCloudAndStation({ cameras: () => [{ deviceId: 'OWNERCAMHD01', codecs: ['avc'] }] }));
});
after(async () => {
  await Promise.all(accounts.map((a) => a.close()));
  await closeSim();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function installation(who: 'owner' | 'friend' = 'owner'): Promise<{ account: ArloAccount; store: DataStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'arlo-enroll-'));
  dirs.push(dir);
  const store = await openDataStore(dir, { passphrase: 'test passphrase' });
  const account = new ArloAccount(store, silentLogger, { endpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl } });
  accounts.push(account);
  const person = cloud.accounts[who];
  assert.deepEqual(await account.signIn(person.email, person.password), { step: 'signed-in' });
  return { account, store };
}

/** A real mutual-TLS connection to the base station, then one RTSP request: the status line, or 'refused'. */
function handshake(certPem: string, keyPem: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: station.port, cert: certPem, key: keyPem, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    const timer = setTimeout(() => finish('timeout'), 5000);
    let data = '';
    function finish(result: string): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    }
    socket.on('secureConnect', () => socket.write(`OPTIONS rtsp://127.0.0.1:${station.port}/ RTSP/1.0\r\nCSeq: 1\r\nNonce: 0\r\n\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) finish(data.split('\r\n')[0] ?? '');
    });
    socket.on('error', () => finish('refused'));
    socket.on('close', () => finish('refused'));
  });
}

async function credentials(store: DataStore): Promise<{ certPem: string; keyPem: string; expires: string }> {
  const record = (await store.read()).baseStations[0];
  const keyPem = await store.secrets.get('clientPrivateKey');
  assert.ok(record?.certificatePem && record.certificateExpires && keyPem);
  return { certPem: record.certificatePem, keyPem, expires: record.certificateExpires };
}

describe('enrollment', () => {
  let first: { account: ArloAccount; store: DataStore };

  it('enrolls the owner account; the base station accepts the certificate', async () => {
    first = await installation();
    const outcomes = await first.account.enroll();
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]?.result, 'enrolled', outcomes[0]?.message);
    const data = await first.store.read();
    const record = data.baseStations[0];
    assert.equal(record?.model, 'VMB5000');
    assert.equal(record?.caChainPem?.length, 2);
    const issued = cloud.issued.at(-1);
    assert.equal(issued?.uuid, data.settings.installationId, 'the uuid is the installation id');
    assert.notEqual(issued?.uuid, record?.deviceId, 'never the base station deviceId');
    assert.equal(issued?.uniqueId, `${cloud.accounts.owner.userId}_${record?.deviceId}`);
    assert.equal(issued?.xcloudId, `XC-${record?.deviceId}`, "the base station's xcloudId header, as pyaarlo sends it");
    const { certPem, keyPem } = await credentials(first.store);
    assert.match(publicKeyForCloud(keyPem), /^[A-Za-z0-9+/]+=*$/);
    assert.equal(await handshake(certPem, keyPem), 'RTSP/1.0 200 OK');
  });

  it('does not enroll again while the certificate is good', async () => {
    const before = cloud.issued.length;
    const outcomes = await first.account.enroll();
    assert.equal(outcomes[0]?.result, 'already-enrolled');
    assert.equal(cloud.issued.length, before);
  });

  it('a second installation does not revoke the first one', async () => {
    const second = await installation();
    assert.equal((await second.account.enroll())[0]?.result, 'enrolled');
    const mine = await credentials(first.store);
    const theirs = await credentials(second.store);
    assert.equal(await handshake(mine.certPem, mine.keyPem), 'RTSP/1.0 200 OK');
    assert.equal(await handshake(theirs.certPem, theirs.keyPem), 'RTSP/1.0 200 OK');
  });

  it('re-enrolls after the base station refused the certificate; the same uuid revokes the old one', async () => {
    const old = await credentials(first.store);
    const id = (await first.store.read()).baseStations[0]?.deviceId ?? '';
    await first.account.markCertificateRejected(id);
    const marked = (await first.store.read()).baseStations[0];
    assert.equal(marked?.certificatePem, old.certPem, 'marking keeps the certificate');
    const outcomes = await first.account.enroll([id]);
    assert.equal(outcomes[0]?.result, 'enrolled');
    assert.match(outcomes[0]?.message ?? '', /refused the previous certificate/);
    const fresh = await credentials(first.store);
    assert.notEqual(fresh.certPem, old.certPem);
    assert.equal((await first.store.read()).baseStations[0]?.certificateRejected, undefined);
    assert.equal(await handshake(old.certPem, old.keyPem), 'refused');
    assert.equal(await handshake(fresh.certPem, fresh.keyPem), 'RTSP/1.0 200 OK');
  });

  it('a shared account is told to use the owner account, and nothing is stored', async () => {
    const friend = await installation('friend');
    const outcomes = await friend.account.enroll();
    assert.equal(outcomes[0]?.result, 'failed');
    assert.match(outcomes[0]?.message ?? '', /shared with you.*owner/);
    assert.equal((await friend.store.read()).baseStations[0]?.certificatePem, undefined);

    // The cloud itself refuses too, with the same message through the client.
    const http = new ArloHttp({ apiUrl: cloud.apiUrl, authUrl: cloud.authUrl });
    try {
      const api = new ArloApiClient(http, (await friend.store.secrets.get('arloToken')) ?? '');
      const error = await api
        .createCertificate({ uuid: 'x', uniqueIds: [outcomes[0] ? `${cloud.accounts.owner.userId}_${outcomes[0].baseStationId}` : ''], publicKey: publicKeyForCloud((await first.store.secrets.get('clientPrivateKey')) ?? '') })
        .catch((e: unknown) => e);
      assert.ok(error instanceof ArloError);
      assert.equal(error.code, 'not-owner');
    } finally {
      await http.close();
    }
  });

  it('an expired token says so and leaves the stored certificate intact', async () => {
    const kept = await credentials(first.store);
    const record = (await first.store.read()).baseStations[0];
    await first.account.markCertificateRejected(record?.deviceId ?? '');
    cloud.expireTokens();
    const error = await first.account.enroll().catch((e: unknown) => e);
    assert.ok(error instanceof ArloError);
    assert.equal(error.code, 'token-expired');
    assert.match(error.message, /sign in again or paste a new token/);
    assert.deepEqual(await credentials(first.store), kept);
    assert.equal((await first.account.accountView()).tokenExpired, true);
    assert.ok(await first.store.secrets.get('arloToken'), 'the token is kept until the user replaces it');
  });
});
