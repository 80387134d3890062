// A simulated base station with one camera and a data dir that holds what enrollment leaves behind
// (certificate, key, camera), with a stale typed address that --basestation / ARLO_RTSP_BASESTATION
// corrects: what `arlo-rtsp serve` needs to run without the cloud.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKeyPem, publicKeyForCloud } from '../../src/main/enroll/key-pair.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { SimBaseStation, type SimBaseStationOptions } from '../../src/sim/basestation.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import type { VideoCodec } from '../../src/shared/api.js';

export const ENROLLED_PASSPHRASE = 'test passphrase';

export interface EnrolledStation {
  station: SimBaseStation;
  /** The CA that issued the client certificate: another base station of the same account trusts it too. */
  ca: SimCertificateAuthority;
  dataDir: string;
  /** `BASE1=127.0.0.1:PORT`, the value --basestation takes to reach the simulator. */
  address: string;
  /** The client certificate's serial, for `ca.revoke`. */
  serial: string;
  close(): Promise<void>;
}

export interface EnrolledCamera {
  deviceId: string;
  name: string;
  model: string;
  codec: VideoCodec;
  /** The user's word on its power (absent: the model decides). */
  battery?: boolean;
}

const PORCH: EnrolledCamera = { deviceId: 'CAM1', name: 'Porch', model: 'VMC4041P', codec: 'avc' };

/** The client certificate: its lifetime (a year by default), and whether the base station accepted it before. */
export interface EnrolledCertificate {
  validDays?: number;
  accepted?: boolean;
}

/**
 * Base station BASE1 with camera CAM1 ("Porch", H.264), or `cameras` (on ports 8556 and up); the
 * data dir's secrets use ENROLLED_PASSPHRASE. With `lan`, the cameras listen on every address and
 * ask viewers for these credentials; `certificate` shapes the client certificate, `shape` gives
 * the base station quirks.
 */
export async function enrolledStation(
  lan?: { username: string; password: string },
  certificate: EnrolledCertificate = {},
  cameras: EnrolledCamera[] = [PORCH],
  shape: Pick<SimBaseStationOptions, 'quirks'> = {},
): Promise<EnrolledStation> {
  const ca = await SimCertificateAuthority.create();
  const station = new SimBaseStation({ ca, cameras: cameras.map((c) => ({ deviceId: c.deviceId, codecs: [c.codec] })), ...shape });
  await station.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'arlo-serve-test-'));
  const store = await openDataStore(dataDir, { passphrase: ENROLLED_PASSPHRASE });
  const key = await generatePrivateKeyPem();
  const issued = ca.issueClientCertificate(publicKeyForCloud(key), { commonName: 'serve-test', ...(certificate.validDays === undefined ? {} : { validDays: certificate.validDays }) });
  await store.secrets.set('clientPrivateKey', key);
  if (lan) await store.secrets.set('lanPassword', lan.password);
  await store.update((data) => {
    data.baseStations = [{
      deviceId: 'BASE1', name: 'Base', model: 'VMB5000', uniqueId: 'u_BASE1', host: '192.0.2.1', port: 554,
      addressSource: 'typed', certificatePem: issued.pem, certificateExpires: issued.expires.toISOString(),
      ...(certificate.accepted ? { certificateAccepted: true } : {}),
    }];
    data.cameras = cameras.map((c, index) => ({
      deviceId: c.deviceId, name: c.name, model: c.model, baseStationId: 'BASE1', ownBaseStation: false,
      codecs: [c.codec], codec: c.codec, localStreaming: true, port: 8556 + index, running: false,
      ...(c.battery !== undefined ? { battery: c.battery } : {}),
    }));
    if (lan) {
      data.settings.listenAddress = '0.0.0.0';
      data.settings.lanUsername = lan.username;
    }
  });
  return {
    station,
    ca,
    dataDir,
    address: `BASE1=127.0.0.1:${station.port}`,
    serial: issued.serial,
    async close() {
      await station.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
