// `arlo-rtsp demo`: the whole path without Arlo hardware. A simulated base station (mutual TLS, the
// Nonce rule, real H.264/H.265 + AAC) is provisioned into a data dir (a temporary one unless
// --data-dir is given), then `serve` runs against it and prints URLs for VLC or ffplay.
// Provisioning is one function: walking through the simulated cloud instead replaces only it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SimBaseStation, type SimCamera } from '../../../sim/basestation.js';
import { SimCertificateAuthority } from '../../../sim/ca.js';
import { generatePrivateKeyPem, publicKeyForCloud } from '../../enroll/key-pair.js';
import { createLogger } from '../../log.js';
import { openDataStore } from '../../store/data-store.js';
import type { CameraRecord } from '../../store/types.js';
import { DEFAULT_HTTP, runServe, untilSignal } from './serve.js';

interface DemoCliOptions {
  dataDir: string;
  http: string;
  portBase?: string;
}

const BASE_STATION_ID = 'DEMO-BASE';
const DEMO_CAMERAS: (SimCamera & { name: string; model: string })[] = [
  { deviceId: 'DEMO-CAM-1', name: 'Demo front door', model: 'VMC4041P', codecs: ['avc'] },
  { deviceId: 'DEMO-CAM-2', name: 'Demo garden (4K)', model: 'VMC5040', codecs: ['hevc', 'avc'] },
];

export function register(program: Command): void {
  program
    .command('demo')
    .description('serve cameras of a simulated base station, to see the whole path work without Arlo hardware')
    .option('--http <host:port>', 'where GET /api/state is served', DEFAULT_HTTP)
    .option('--port-base <port>', 'first RTSP port (default 8556)')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<DemoCliOptions>();
      // The real data dir is never touched unless asked for.
      const temporary = command.getOptionValueSourceWithGlobals('dataDir') === 'default';
      const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'arlo-rtsp-demo-')) : options.dataDir;

      const ca = await SimCertificateAuthority.create();
      const station = new SimBaseStation({ ca, cameras: DEMO_CAMERAS });
      const { port } = await station.start();
      console.log(`simulated base station: 127.0.0.1:${port} (mutual TLS, Nonce rule), data dir ${dataDir}`);
      try {
        await provisionDemo(dataDir, ca, port);
        const running = await runServe({
          dataDir,
          http: options.http,
          logger: createLogger(),
          discovery: false,
          overrides: options.portBase ? { portBase: Number(options.portBase) } : {},
        });
        console.log('play one with: ffplay -rtsp_transport tcp <url>   (or paste the URL into VLC: Media > Open Network Stream)');
        await untilSignal();
        await running.close();
      } finally {
        await station.stop();
        const { sessionsOpened, teardownsWithValidNonce, nonceViolations } = station.stats;
        console.log(
          `simulated base station: ${sessionsOpened} sessions, ${teardownsWithValidNonce} TEARDOWNs with a valid Nonce, ${nonceViolations} Nonce violations`,
        );
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      }
    });
}

/**
 * What sign-in and enrollment would leave behind: a base station at the simulator's address with a
 * client certificate from its CA, the installation key, and its cameras.
 */
async function provisionDemo(dataDir: string, ca: SimCertificateAuthority, port: number): Promise<void> {
  const store = await openDataStore(dataDir);
  const privateKeyPem = (await store.secrets.get('clientPrivateKey')) ?? (await generatePrivateKeyPem());
  const issued = ca.issueClientCertificate(publicKeyForCloud(privateKeyPem), { commonName: 'arlo-rtsp-demo' });
  await store.secrets.set('clientPrivateKey', privateKeyPem);
  await store.update((data) => {
    data.baseStations = [
      ...data.baseStations.filter((b) => b.deviceId !== BASE_STATION_ID),
      {
        deviceId: BASE_STATION_ID,
        name: 'Demo base station',
        model: 'VMB5000',
        uniqueId: `demo_${BASE_STATION_ID}`,
        host: '127.0.0.1',
        port,
        addressSource: 'typed',
        certificatePem: issued.pem,
        certificateExpires: issued.expires.toISOString(),
      },
    ];
    const kept = data.cameras.filter((c) => c.baseStationId !== BASE_STATION_ID);
    const cameras: CameraRecord[] = DEMO_CAMERAS.map((camera, index) => ({
      deviceId: camera.deviceId,
      name: camera.name,
      model: camera.model,
      baseStationId: BASE_STATION_ID,
      ownBaseStation: false,
      codecs: camera.codecs,
      codec: camera.codecs[0]!,
      localStreaming: true,
      port: data.cameras.find((c) => c.deviceId === camera.deviceId)?.port ?? data.settings.portBase + kept.length + index,
      running: false,
    }));
    data.cameras = [...kept, ...cameras];
  });
}
