// The desktop app signed in to the simulated cloud and enrolled with the simulated base station,
// from the page over IPC as a user does it: what tests of streaming from the desktop start from.

import assert from 'node:assert/strict';
import type { EnrollOutcome, SignInStep } from '../../../src/shared/api.js';
import type { SimBaseStation } from '../../../src/sim/basestation.js';
import type { SimCloud } from '../../../src/sim/cloud/index.js';
import { launchDesktop, until, type DesktopApp, type LaunchOptions } from './driver.js';

export interface EnrolledDesktop {
  app: DesktopApp;
  windowId: number;
}

/** Launches the app in `home` against `cloud`, signs in as the owner, enrolls `station`; settings from `settings`. */
export async function enrolledDesktop(options: {
  home: string;
  cloud: SimCloud;
  station: SimBaseStation;
  settings?: Record<string, unknown>;
  launch?: Partial<LaunchOptions>;
}): Promise<EnrolledDesktop> {
  const { cloud, station } = options;
  const app = launchDesktop({ ...options.launch, home: options.home, env: { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ...options.launch?.env } });
  const ready = await until(app, async () => {
    const s = await app.snapshot();
    return s.tray?.menu && s.windows[0]?.url ? s : undefined;
  }, 'the tray and the window', 60_000);
  const windowId = ready.windows[0]!.id;
  const account = cloud.accounts.owner;
  assert.deepEqual(await app.call<SignInStep>(windowId, 'signIn', account.email, account.password), { step: 'signed-in' });
  await app.call(windowId, 'refreshDevices');
  await app.call(windowId, 'updateSettings', { portBase: 20_000 + Math.floor(Math.random() * 40_000), ...options.settings });
  const baseStationId = cloud.devicesOf(account).find((d) => d.deviceType === 'basestation')!.deviceId;
  await app.call(windowId, 'setBaseStationAddress', baseStationId, '127.0.0.1', station.port);
  const outcomes = await app.call<EnrollOutcome[]>(windowId, 'enroll');
  assert.deepEqual(outcomes.map((o) => o.result), ['enrolled'], outcomes[0]?.message);
  return { app, windowId };
}
