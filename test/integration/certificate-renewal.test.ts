// The one action every certificate warning names renews: with a certificate 14 days or less from
// expiry, signing in enrolls it again by itself (the service, against the simulated cloud over
// real HTTP); with a year left, a sign-in asks the cloud for nothing.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function enrolledWith(certificateValidDays: number): Promise<{ cloud: SimCloud; service: AppService }> {
  const cloud = await startSimCloud({ certificateValidDays });
  const dataDir = await mkdtemp(join(tmpdir(), 'certificate-renewal-'));
  const service = await createAppService({ dataDir, passphrase: 'renewal', logger: silentLogger, shell: 'web', discovery: false, arloEndpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl } });
  cleanups.push(() => cloud.close(), () => rm(dataDir, { recursive: true, force: true }), () => service.close());
  const { email, password } = cloud.accounts.owner;
  await service.signIn(email, password);
  const [outcome] = await service.enroll();
  assert.equal(outcome?.result, 'enrolled', outcome?.message);
  return { cloud, service };
}

describe('renewal after a sign-in', () => {
  it('enrolls again by itself a certificate that warns, once per sign-in', async () => {
    const { cloud, service } = await enrolledWith(10);
    const before = await service.getState();
    assert.equal(before.baseStations[0]?.certificateWarning?.level, 'soon');
    const issued = cloud.issued.length;
    await service.signOut();
    assert.deepEqual(await service.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password), { step: 'signed-in' });
    assert.equal(cloud.issued.length, issued + 1, 'a new certificate, without the user enrolling');
  });

  it('asks for nothing when the certificate has more than 14 days left', async () => {
    const { cloud, service } = await enrolledWith(365);
    assert.equal((await service.getState()).baseStations[0]?.certificateWarning, undefined);
    const issued = cloud.issued.length;
    await service.signOut();
    await service.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password);
    assert.equal(cloud.issued.length, issued);
  });
});
