// Whether a camera runs on battery, decided in one place with this precedence: the user's switch,
// what Arlo's device list says (the camera's `batteryTech` property, else its model's
// `Capabilities.PowerSource`), the built-in model list, else mains power. Through the AppApi
// service against the simulated cloud over real HTTP: what the cloud reports puts the daily warning
// and cap on a camera of a model the list does not know, without the switch; the switch overrides
// it (and survives a refresh); odd or missing values fall back instead of failing the refresh.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CameraView } from '../../src/shared/api.js';
import { parseCapabilities } from '../../src/main/arlo/devices.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { startSimCloud, type SimCloud, type SimDevice } from '../../src/sim/cloud/index.js';

let cloud: SimCloud;
let dataDir: string;
let service: AppService;
/** What the simulated cloud's device list answers, from its fixtures; each test sets it. */
let listAs: (devices: SimDevice[]) => unknown[] = (devices) => devices;

/** The fixtures' list with the named camera changed. */
const changed = (name: string, change: (device: SimDevice) => Record<string, unknown>) => (devices: SimDevice[]): unknown[] =>
  devices.map((d) => (d.deviceName === name ? change(d) : d));

async function camera(name: string): Promise<CameraView> {
  const view = (await service.getState()).cameras.find((c) => c.name === name);
  assert.ok(view, `${name} is listed`);
  return view;
}

async function refreshAs(list: (devices: SimDevice[]) => unknown[]): Promise<void> {
  listAs = list;
  await service.refreshDevices();
}

before(async () => {
  cloud = await startSimCloud({ deviceList: (devices) => listAs(devices) });
  process.env.ARLO_API_URL = cloud.apiUrl;
  process.env.ARLO_AUTH_URL = cloud.authUrl;
  dataDir = await mkdtemp(join(tmpdir(), 'battery-source-'));
  service = await createAppService({ dataDir, passphrase: 'battery test', logger: silentLogger, shell: 'web', discovery: false });
  assert.deepEqual(await service.signIn(cloud.accounts.owner.email, cloud.accounts.owner.password), { step: 'signed-in' });
});

after(async () => {
  await service?.close();
  await cloud?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('which cameras run on battery', () => {
  it('goes by what the cloud reports for its cameras', async () => {
    await refreshAs((devices) => devices);
    for (const name of ['Back door', 'Driveway 4K']) {
      const view = await camera(name);
      assert.deepEqual([view.battery, view.batterySource], [true, 'arlo'], name);
    }
  });

  it('puts the warning and the cap on a camera Arlo reports on battery, though the model list does not know it', async () => {
    await refreshAs((devices) => devices.map((d) => {
      if (d.deviceName === 'Back door') return { ...d, modelId: 'VMC9990' };
      // Arlo's word for a camera on mains power beats the model list, which says battery for this model.
      if (d.deviceName === 'Driveway 4K') return { ...d, properties: { ...d.properties, batteryTech: 'None', chargerTech: 'None' } };
      return d;
    }));
    const backDoor = await camera('Back door');
    assert.deepEqual([backDoor.model, backDoor.battery, backDoor.batterySource, backDoor.usageNotice], ['VMC9990', true, 'arlo', undefined]);
    const driveway = await camera('Driveway 4K');
    assert.deepEqual([driveway.model, driveway.battery, driveway.batterySource], ['VMC5040', false, 'arlo']);

    await service.updateSettings({ batteryWarnMinutes: 0 });
    assert.equal((await camera('Back door')).usageNotice?.level, 'warning');
    await service.updateSettings({ batteryCapMinutes: 0 });
    assert.match((await camera('Back door')).usageNotice?.message ?? '', /Daily cap reached: this battery camera streamed 0 s today \(cap 0 min\)/);
    assert.equal((await camera('Driveway 4K')).usageNotice, undefined, 'a camera on mains has no budget');
  });

  it("takes the user's switch over what Arlo says, keeps it across a refresh, and forgets it on request", async () => {
    await service.setCameraBattery((await camera('Back door')).deviceId, false);
    let backDoor = await camera('Back door');
    assert.deepEqual([backDoor.battery, backDoor.batterySource, backDoor.usageNotice], [false, 'user', undefined]);
    await service.setCameraBattery((await camera('Driveway 4K')).deviceId, true);
    assert.equal((await camera('Driveway 4K')).usageNotice?.level, 'capped');

    await refreshAs((devices) => devices);
    backDoor = await camera('Back door');
    assert.deepEqual([backDoor.battery, backDoor.batterySource], [false, 'user'], 'the switch outlives a refresh of the device list');

    await service.setCameraBattery(backDoor.deviceId, null);
    backDoor = await camera('Back door');
    assert.deepEqual([backDoor.battery, backDoor.batterySource, backDoor.usageNotice?.level], [true, 'arlo', 'capped']);
    await service.setCameraBattery((await camera('Driveway 4K')).deviceId, null);
  });

  it('falls back to the model list, then to mains power, when the cloud sends values it cannot read', async () => {
    const odd: unknown[] = [42, 'Rechargeable', ['batteryTech'], null, { batteryTech: '' }, { batteryTech: { kind: 'Rechargeable' } }, { batteryTech: 7, batteryLevel: 'full' }];
    for (const properties of odd) {
      // VMC4040P is on the model list and has no capabilities document here: only the list can say.
      await refreshAs(changed('Back door', (d) => ({ ...d, modelId: 'VMC4040P', properties })));
      let view = await camera('Back door');
      assert.deepEqual([view.battery, view.batterySource], [true, 'model'], JSON.stringify(properties));
      await refreshAs(changed('Back door', (d) => ({ ...d, modelId: 'VMC9990', properties })));
      view = await camera('Back door');
      assert.deepEqual([view.battery, view.batterySource, view.usageNotice], [false, 'unknown', undefined], JSON.stringify(properties));
    }
    // A property missing altogether: the same.
    await refreshAs(changed('Back door', ({ properties: _, ...d }) => ({ ...d, modelId: 'VMC9990' })));
    assert.equal((await camera('Back door')).batterySource, 'unknown');
    // The camera at the top level, as pyaarlo also reads it.
    await refreshAs(changed('Back door', ({ properties: _, ...d }) => ({ ...d, modelId: 'VMC9990', batteryTech: 'Rechargeable' })));
    assert.deepEqual([(await camera('Back door')).battery, (await camera('Back door')).batterySource], [true, 'arlo']);
  });

  it("reads a model's PowerSource as Scrypted does, and nothing from shapes it does not know", () => {
    const power = (source: unknown) => parseCapabilities({ Capabilities: { PowerSource: source } }).battery;
    assert.equal(power({ Battery: { indicatorVisible: true } }), true);
    assert.equal(power({ Battery: {} }), true);
    assert.equal(power({ Battery: true, AC: { indicatorVisible: true } }), true);
    assert.equal(power({ Battery: { indicatorVisible: false } }), false);
    assert.equal(power({ Battery: {}, AC: { indicatorVisible: false } }), false, 'sold with a battery, set up powered');
    assert.equal(power({ AC: {} }), false);
    for (const odd of [undefined, null, 'yes', 1, [], {}, { Battery: 'yes' }, { Battery: [1] }, { Battery: {}, AC: 3 }]) {
      assert.equal(power(odd), undefined, JSON.stringify(odd));
    }
    assert.equal(parseCapabilities('garbage').battery, undefined);
  });
});
