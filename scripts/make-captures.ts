// Makes the committed field captures (test/fixtures/captures/*.json) the way a user makes one:
// `arlo-rtsp doctor --capture FILE` against the simulated base station, once per quirk mode, after
// signing in to the simulated cloud and enrolling. test/integration/captures-replay.test.ts replays
// each through the product to ffmpeg. Run again after a change to the capture format:
//
//   node --import tsx scripts/make-captures.ts [mode...]

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/main/log.js';
import { createAppService } from '../src/main/service.js';
import { openDataStore } from '../src/main/store/data-store.js';
import { SimBaseStation, type SimBaseStationOptions } from '../src/sim/basestation.js';
import { createSelfSignedServerCertificate } from '../src/sim/ca.js';
import { startSimCloud, stationCamerasOf } from '../src/sim/cloud/index.js';

/** Each mode: how the simulated base station differs from the default one (src/sim/quirks.ts). */
const MODES: Record<string, Pick<SimBaseStationOptions, 'quirks' | 'sessionTimeoutSeconds'>> = {
  default: {},
  'lower-case-headers': { quirks: { lowerCaseHeaders: true } },
  'loose-syntax': { quirks: { looseSyntax: true, looseContentLength: true } },
  'session-at-describe': { quirks: { sessionAtDescribe: true } },
  'small-nonces-wrong-cseq': { quirks: { nonceStyle: 'small', wrongCSeq: true } },
  'signed-nonces': { quirks: { nonceStyle: 'signed' } },
  'audio-first-shifted-channels': { quirks: { audioFirst: true, channelShift: 4, noContentBase: true, sessionControl: 'none', absoluteControl: true } },
  'frames-before-play-answer': { quirks: { framesBeforePlayResponse: true, inBandParameterSetsOnly: true } },
  'slow-describe-and-play': { quirks: { slowMethods: ['DESCRIBE', 'PLAY'], slowMs: 1500 } },
  'keep-alives-501': { sessionTimeoutSeconds: 2, quirks: { keepAliveAnswer: 501 } },
  'legacy-tls': { quirks: { legacyTls: true } },
};

const OUT = new URL('../test/fixtures/captures/', import.meta.url).pathname;
const CLI = new URL('../src/main/headless/cli.ts', import.meta.url).pathname;
const PASSPHRASE = 'make-captures passphrase';

const wanted = process.argv.slice(2);
const cloud = await startSimCloud();
const dataDir = await mkdtemp(join(tmpdir(), 'make-captures-'));
try {
  const account = cloud.accounts.owner;
  const devices = cloud.devicesOf(account);
  const baseStationId = devices.find((d) => d.deviceType === 'basestation')!.deviceId;
  const cameraId = devices.find((d) => d.deviceType === 'camera' && d.modelId === 'VMC2030')!.deviceId;
  const identity = await createSelfSignedServerCertificate('arlo-basestation.local');
  const service = await createAppService({
    dataDir, passphrase: PASSPHRASE, logger: silentLogger, shell: 'web', discovery: false,
    arloEndpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl },
  });
  const first = new SimBaseStation({ ca: cloud.ca, cameras: stationCamerasOf(account), identity });
  await first.start();
  await service.signIn(account.email, account.password);
  await service.refreshDevices();
  await service.setBaseStationAddress(baseStationId, '127.0.0.1', first.port);
  await service.enroll();
  await service.close();
  await first.stop();
  const store = await openDataStore(dataDir, { passphrase: PASSPHRASE });

  for (const [mode, options] of Object.entries(MODES)) {
    if (wanted.length > 0 && !wanted.includes(mode)) continue;
    // Legacy TLS is its own certificate (1024-bit, SHA-1); the others keep the pinned one.
    const station = new SimBaseStation({ ca: cloud.ca, cameras: stationCamerasOf(account), ...(options.quirks?.legacyTls ? {} : { identity }), ...options });
    await station.start();
    await store.update((data) => {
      const record = data.baseStations.find((b) => b.deviceId === baseStationId)!;
      Object.assign(record, { host: '127.0.0.1', port: station.port, addressSource: 'typed' });
      if (options.quirks?.legacyTls) {
        delete record.pinnedFingerprint;
        delete record.pinnedKey;
      }
    });
    const file = join(OUT, `${mode}.json`);
    // Asynchronously: the simulators answering it run in this process.
    const result = await promisify(execFile)(process.execPath, [
      '--import', 'tsx', CLI, '--data-dir', dataDir, 'doctor', '--camera', cameraId, '--play', '3', '--capture', file, '--mdns-interface', '127.0.0.1',
    ], { env: { ...process.env, ARLO_RTSP_PASSPHRASE: PASSPHRASE, ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ARLO_RTSP_LOG_LEVEL: 'silent' } })
      .then(() => 'every step passed', (error: { stdout?: string }) => `failed:\n${error.stdout ?? String(error)}`);
    await station.stop();
    console.log(`${mode}: ${result}; Nonce violations ${station.stats.nonceViolations}`);
  }
} finally {
  await cloud.close();
  await rm(dataDir, { recursive: true, force: true });
}
