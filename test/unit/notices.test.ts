// The notification rule (src/main/notify/notices.ts): which causes a state calls for, and at most
// one notice a day per cause, muted or not, across a restart.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppState, BaseStationView, CameraView } from '../../src/shared/api.js';
import { NoticeLedger, noticesFor, type NoticeRecord } from '../../src/main/notify/notices.js';

const NOW = new Date(2026, 11, 7, 10, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

function camera(overrides: Partial<CameraView>): CameraView {
  return { ...({ deviceId: 'CAM1', name: 'Front door', running: true, state: 'media', viewers: 0 } as CameraView), ...overrides };
}
function base(overrides: Partial<BaseStationView>): BaseStationView {
  return { ...({ deviceId: 'BS1', name: 'Home base', enrolled: true } as BaseStationView), ...overrides };
}
const state = (cameras: CameraView[], baseStations: BaseStationView[] = []): AppState => ({ cameras, baseStations } as AppState);

describe('notices', () => {
  it('a running camera in error, a capped battery camera, a certificate expiring within 14 days, an update ready', () => {
    const notices = noticesFor(
      state(
        [
          camera({ deviceId: 'CAM1', state: 'error', error: 'The base station refused our certificate.' }),
          camera({ deviceId: 'CAM2', name: 'Garden', usageNotice: { level: 'capped', message: 'Garden streamed 30 minutes today.' } }),
          camera({ deviceId: 'CAM3', state: 'error', running: false }),
          camera({ deviceId: 'CAM4', usageNotice: { level: 'warning', message: 'nearly' } }),
        ],
        [
          base({ deviceId: 'BS1', certificateExpires: new Date(NOW.getTime() + 3 * DAY).toISOString() }),
          base({ deviceId: 'BS2', certificateExpires: new Date(NOW.getTime() + 40 * DAY).toISOString() }),
          base({ deviceId: 'BS3', enrolled: false, certificateExpires: new Date(NOW.getTime() + DAY).toISOString() }),
        ],
      ),
      NOW.getTime(),
      { version: '0.2.0' },
    );
    assert.deepEqual(notices.map((n) => `${n.kind}:${n.subject}`), ['camera-error:CAM1', 'battery-capped:CAM2', 'certificate-expiring:BS1', 'update-ready:0.2.0']);
    assert.equal(notices[0]!.body, 'The base station refused our certificate.');
    assert.equal(notices[2]!.title, 'The certificate for Home base expires in 3 days');
  });

  it('once a day per cause; another cause the same day still shows; the next day again; a restart remembers', () => {
    let saved: NoticeRecord = {};
    const ledger = new NoticeLedger({ load: () => ({}), save: (r) => { saved = r; } });
    const error1 = noticesFor(state([camera({ state: 'error' })]), NOW.getTime());
    assert.equal(ledger.due(error1, NOW, false).length, 1);
    assert.equal(ledger.due(error1, new Date(NOW.getTime() + 60_000), false).length, 0, 'the same cause again today');
    const both = noticesFor(state([camera({ state: 'error' }), camera({ deviceId: 'CAM2', state: 'error' })]), NOW.getTime());
    assert.deepEqual(ledger.due(both, NOW, false).map((n) => n.subject), ['CAM2'], 'another camera is another cause');
    const restarted = new NoticeLedger({ load: () => saved, save: (r) => { saved = r; } });
    assert.equal(restarted.due(both, NOW, false).length, 0, 'a restart the same day repeats nothing');
    const tomorrow = new Date(NOW.getTime() + DAY);
    assert.equal(restarted.due(error1, tomorrow, false).length, 1, 'the next day it shows again');
    assert.deepEqual(Object.values(saved), [`2026-12-08`], 'only today is kept');
  });

  it('muted: nothing is shown nor recorded, so unmuting the same day shows what still holds', () => {
    const ledger = new NoticeLedger({ load: () => ({}), save: () => undefined });
    const notices = noticesFor(state([camera({ state: 'error' })]), NOW.getTime());
    assert.deepEqual(ledger.due(notices, NOW, true), []);
    assert.equal(ledger.due(notices, NOW, false).length, 1);
  });
});
