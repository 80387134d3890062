// An installation (a data directory) run against the simulated cloud: the service opened on it as
// the web shell opens it, the environment `arlo-rtsp` commands need to reach the same cloud, and the
// secrets it keeps, to look for in what it writes for a bug report (doctor's report, a capture).

import assert from 'node:assert/strict';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import type { SimCloud } from '../../src/sim/cloud/index.js';

export function openInstallation(dataDir: string, passphrase: string, cloud: SimCloud): Promise<AppService> {
  return createAppService({
    dataDir, passphrase, logger: silentLogger, shell: 'web', discovery: false,
    arloEndpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl },
  });
}

/** What an `arlo-rtsp` child needs to open the installation and reach the simulated cloud, quietly. */
export function installationEnv(passphrase: string, cloud: SimCloud): Record<string, string> {
  return { ARLO_RTSP_PASSPHRASE: passphrase, ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ARLO_RTSP_LOG_LEVEL: 'silent' };
}

/**
 * The secret values the installation keeps (token, each line of the private key, the trust
 * cookies), after asserting they are there (signed in over MFA and enrolled), with the passphrase.
 */
export async function installationSecrets(dataDir: string, passphrase: string): Promise<string[]> {
  const store = await openDataStore(dataDir, { passphrase });
  const token = await store.secrets.get('arloToken');
  const key = await store.secrets.get('clientPrivateKey');
  const jar = await store.secrets.get('trustedBrowserCode');
  const cookies = (JSON.parse(jar ?? '{}') as { cookies?: { key: string; value: string }[] }).cookies ?? [];
  assert.ok(token && key && cookies.some((c) => c.key.startsWith('browser_trust_')), 'the secrets to look for are there');
  return [
    token,
    ...key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----')),
    // The simulator also sets `session_hint=1`: a one-character value is no secret and is in any text.
    ...cookies.map((c) => c.value).filter((value) => value.length >= 8),
    passphrase,
  ];
}

/**
 * Signs the `email` account in over MFA (so the installation keeps a trusted-device cookie too, one
 * more secret), lists its devices, points its base station at `stationPort` and enrolls.
 */
export async function signInAndEnroll(app: AppService, cloud: SimCloud, stationPort: number): Promise<void> {
  const account = cloud.accounts.email;
  assert.equal((await app.signIn(account.email, account.password)).step, 'enter-code');
  assert.deepEqual(await app.submitMfaCode(cloud.lastCode(account.email) ?? ''), { step: 'signed-in' });
  await app.refreshDevices();
  const baseStationId = cloud.devicesOf(account).find((d) => d.deviceType === 'basestation')!.deviceId;
  await app.setBaseStationAddress(baseStationId, '127.0.0.1', stationPort);
  assert.equal((await app.enroll())[0]?.result, 'enrolled');
}
