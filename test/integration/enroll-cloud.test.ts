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
import { silentLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { DataStore } from '../../src/main/store/types.js';
import { X509Certificate } from 'node:crypto';
import { generatePrivateKeyPem, publicKeyForCloud } from '../../src/main/enroll/key-pair.js';
import type { SimBaseStation } from '../../src/sim/basestation.js';
import type { SimCertEntry, SimCloud, SimCloudOptions } from '../../src/sim/cloud/index.js';
import { startCloudAndStation, type CloudAndStation } from '../support/cloud-station.js';

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

async function installation(who: 'owner' | 'friend' = 'owner', on: SimCloud = cloud): Promise<{ account: ArloAccount; store: DataStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'arlo-enroll-'));
  dirs.push(dir);
  const store = await openDataStore(dir, { passphrase: 'test passphrase' });
  const account = new ArloAccount(store, silentLogger, { endpoints: { apiUrl: on.apiUrl, authUrl: on.authUrl } });
  accounts.push(account);
  const person = on.accounts[who];
  assert.deepEqual(await account.signIn(person.email, person.password), { step: 'signed-in' });
  return { account, store };
}

/** A real mutual-TLS connection to the base station, then one RTSP request: the status line, or 'refused'. */
function handshake(certPem: string, keyPem: string, at: SimBaseStation = station): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: at.port, cert: certPem, key: keyPem, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    const timer = setTimeout(() => finish('timeout'), 5000);
    let data = '';
    function finish(result: string): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    }
    socket.on('secureConnect', () => socket.write(`OPTIONS rtsp://127.0.0.1:${at.port}/ RTSP/1.0\r\nCSeq: 1\r\nNonce: 0\r\n\r\n`));
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

describe('the certificate answer is a list keyed by uniqueId (PROTOCOL.md §7)', () => {
  const rigs: CloudAndStation[] = [];
  after(async () => {
    await Promise.all(rigs.map((rig) => rig.close()));
  });
  /** A cloud answering certsData as `cloud` says, its strict base station, and an owner installation signed in to it. */
  async function against(options: SimCloudOptions) {
    const rig = await startCloudAndStation({ cameras: () => [{ deviceId: 'OWNERCAMHD01', codecs: ['avc'] }], cloud: options });
    rigs.push(rig);
    return { ...rig, ...(await installation('owner', rig.cloud)) };
  }
  const forOf = (pem: string | undefined) => (pem ? new X509Certificate(pem).subject.match(/^OU=(.*)$/m)?.[1] : undefined);

  it("takes the base station's entry when it comes second; the base station accepts it", async () => {
    const { account, store, station: strict } = await against({ otherBaseStationCertFirst: true });
    const outcomes = await account.enroll();
    assert.equal(outcomes[0]?.result, 'enrolled', outcomes[0]?.message);
    const record = (await store.read()).baseStations[0];
    assert.equal(forOf(record?.certificatePem), record?.uniqueId, 'the certificate issued for this base station');
    const { certPem, keyPem } = await credentials(store);
    assert.equal(await handshake(certPem, keyPem, strict), 'RTSP/1.0 200 OK');
  });

  it('the base station refuses the other entry (the strictness that makes the choice matter)', async () => {
    let other: SimCertEntry | undefined;
    const { account, store, station: strict } = await against({
      otherBaseStationCertFirst: true,
      certsData: (entries) => {
        other = entries[0];
        return entries;
      },
    });
    await account.enroll();
    const keyPem = (await store.secrets.get('clientPrivateKey')) ?? '';
    const otherPem = `-----BEGIN CERTIFICATE-----\n${other?.peerCert ?? ''}\n-----END CERTIFICATE-----\n`;
    assert.equal(await handshake(otherPem, keyPem, strict), 'refused');
    assert.equal(strict.stats.lastTlsError, 'client certificate issued for another base station');
  });

  it('takes the only entry whatever it names (no uniqueId at all here)', async () => {
    const { account } = await against({ certsData: (entries) => entries.map(({ uniqueId: _dropped, ...entry }) => entry) });
    const outcomes = await account.enroll();
    assert.equal(outcomes[0]?.result, 'enrolled', outcomes[0]?.message);
  });

  const unusable: { name: string; certsData: NonNullable<SimCloudOptions['certsData']>; says: RegExp }[] = [
    {
      name: 'several entries, none for this base station',
      certsData: (entries, tools) => entries.flatMap((entry) => [tools.issue(`${entry.uniqueId}-A`, tools.publicKey), tools.issue(`${entry.uniqueId}-B`, tools.publicKey)]),
      says: /2 certificates, none for this base station/,
    },
    {
      name: 'its entry is not base64 DER',
      certsData: (entries) => entries.map((entry) => ({ ...entry, peerCert: 'not a certificate!' })),
      says: /cannot be read/,
    },
    {
      name: "its entry's certificate is on another key than ours",
      certsData: (entries, tools) => entries.map((entry) => tools.issue(entry.uniqueId, otherKey)),
      says: /another key than this installation's/,
    },
  ];
  let otherKey = '';
  before(async () => {
    otherKey = publicKeyForCloud(await generatePrivateKeyPem());
  });
  for (const { name, certsData, says } of unusable) {
    it(`${name}: enrollment fails saying so, and nothing is stored`, async () => {
      const { account, store } = await against({ certsData });
      const outcomes = await account.enroll();
      assert.equal(outcomes[0]?.result, 'failed');
      assert.match(outcomes[0]?.message ?? '', says);
      assert.doesNotMatch(outcomes[0]?.message ?? '', /zod|undefined|\bat\b.*\.js/);
      assert.equal((await store.read()).baseStations[0]?.certificatePem, undefined);
    });
  }

  it("sends the working clients' extras: x-user-device-id, x-forwarded-user, Origin/Referer myapi, eventId and time", async () => {
    const { account, store, cloud: strictCloud } = await against({});
    assert.equal((await account.enroll())[0]?.result, 'enrolled');
    const data = await store.read();
    const post = strictCloud.requests.find((r) => r.method === 'POST' && r.path === '/hmsweb/users/devices/v2/security/cert/create');
    assert.ok(post);
    assert.equal(post.headers['x-user-device-id'], data.settings.clientDeviceId, 'the id this installation signs in with');
    assert.equal(post.headers['x-forwarded-user'], strictCloud.accounts.owner.userId);
    assert.equal(post.headers.origin, 'https://myapi.arlo.com');
    assert.equal(post.headers.referer, 'https://myapi.arlo.com/');
    const query = new URLSearchParams(post.query);
    assert.match(query.get('eventId') ?? '', /^FE![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(Math.abs(Number(query.get('time')) - Date.now()) < 60_000, `time=${query.get('time')}`);
  });
});
