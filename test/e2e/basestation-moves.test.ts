// A base station found by mDNS moves (DHCP gave it another address) and another device takes its
// old one. Real multicast DNS on loopback, real port 554 on 127.0.0.x, the service as the UI drives
// it, ffprobe as the viewer: the service follows the base station to its new address, the stranger
// at the old address is neither pinned nor streamed from, and an mDNS answer placing the base
// station where another certificate answers is not followed. The SRV record announces 8554: the
// stream uses 554 regardless, as every working client does.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import type { AppState } from '../../src/shared/api.js';
import { ARLO_SERVICE } from '../../src/main/discovery/mdns.js';
import { closeMdns, openMdns, type Mdns } from '../../src/main/discovery/mdns-socket.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { createSelfSignedServerCertificate } from '../../src/sim/ca.js';
import { startSimCloud, stationCamerasOf, type SimCloud } from '../../src/sim/cloud/index.js';
import { ffprobe } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const LOOPBACK = '127.0.0.1';
const MDNS_PORT = 20000 + Math.floor(Math.random() * 30000);
// Three addresses of our own in 127/8, unlikely to meet another test's port 554.
const octet = 2 + Math.floor(Math.random() * 200);
const [OLD, NEW, ELSEWHERE] = [1, 2, 3].map((n) => `127.${octet}.${n}.${1 + Math.floor(Math.random() * 250)}`) as [string, string, string];

function loopbackReady(): string | undefined {
  try {
    execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on'], { stdio: 'pipe' });
  } catch (error) {
    return `skipped: cannot enable multicast on lo (${(error as Error).message.split('\n')[0]}); needs root and iproute2`;
  }
  return undefined;
}

function canBind554(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(`skipped: cannot listen on ${OLD}:554 (${error.code})`));
    server.listen(554, OLD, () => server.close(() => resolve(undefined)));
  });
}

const skip = loopbackReady() ?? (await canBind554());

describe('a base station that moves', { skip, timeout: 120_000 }, () => {
  let cloud: SimCloud;
  let responder: Mdns;
  let dataDir: string;
  let service: AppService;
  /** Where mDNS says the base station is. */
  let announced = OLD;
  /** Browse queries the responder answered. */
  let browses = 0;
  const published: AppState[] = [];
  const stations: SimBaseStation[] = [];
  const owner = () => cloud.accounts.owner;
  const baseStationId = () => cloud.devicesOf(owner()).find((d) => d.deviceType === 'basestation')!.deviceId;

  async function station(host: string, identity?: { certPem: string; keyPem: string }): Promise<SimBaseStation> {
    const sim = new SimBaseStation({ ca: cloud.ca, cameras: stationCamerasOf(owner()), host, port: 554, ...(identity ? { identity } : {}) });
    await sim.start();
    stations.push(sim);
    return sim;
  }

  before(async () => {
    cloud = await startSimCloud();
    responder = await openMdns({ interface: LOOPBACK, port: MDNS_PORT });
    responder.on('query', (query) => {
      for (const question of query.questions) {
        if (question.type !== 'PTR' || question.name !== ARLO_SERVICE) continue;
        browses++;
        const instance = `VMB5000-home.${ARLO_SERVICE}`;
        const answers: Answer[] = [{ name: ARLO_SERVICE, type: 'PTR', data: instance }];
        const additionals: Answer[] = [
          { name: instance, type: 'SRV', data: { target: 'VMB5000-home.local', port: 8554 } },
          { name: instance, type: 'TXT', data: [`deviceid=${baseStationId()}`] },
          { name: 'VMB5000-home.local', type: 'A', data: announced },
        ];
        responder.respond({ answers, additionals });
      }
    });
    dataDir = await mkdtemp(join(tmpdir(), 'moves-'));
    service = await createAppService({
      dataDir,
      passphrase: 'moves test',
      logger: silentLogger,
      shell: 'web',
      discovery: { interface: LOOPBACK, port: MDNS_PORT },
      arloEndpoints: { apiUrl: cloud.apiUrl, authUrl: cloud.authUrl },
      overrides: { portBase: 20000 + Math.floor(Math.random() * 20000) },
    });
    service.subscribe((state) => published.push(state));
  });

  after(async () => {
    await service?.close();
    await Promise.all(stations.map((s) => s.stop()));
    await closeMdns(responder);
    await cloud.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is followed to its new address; the stranger at the old one is neither pinned nor streamed from', async () => {
    const identity = await createSelfSignedServerCertificate('arlo-basestation.local');
    const home = await station(OLD, identity);
    assert.deepEqual(await service.signIn(owner().email, owner().password), { step: 'signed-in' });
    await service.refreshDevices();
    const found = (await service.getState()).baseStations[0];
    assert.deepEqual([found?.host, found?.port, found?.addressSource, found?.announcedPort], [OLD, 554, 'mdns', 8554], 'port 554; the SRV port shown');
    assert.equal((await service.enroll())[0]?.result, 'enrolled');
    await service.updateSettings({ lingerSeconds: 0 });
    const camera = (await service.getState()).cameras.find((c) => c.model === 'VMC2030')!;
    await service.startCamera(camera.deviceId);
    assert.deepEqual((await ffprobe(camera.url)).map((s) => s.codec_type), ['video', 'audio']);
    assert.ok(home.stats.sessionsOpened > 0);
    await waitFor(() => published.at(-1)?.baseStations[0]?.pinnedFingerprint !== undefined, 5000, 'the pin stored');
    const pinned = published.at(-1)?.baseStations[0]?.pinnedFingerprint;

    // DHCP: the base station comes back elsewhere; a stranger (same CA, its own certificate) takes the old address.
    await home.stop();
    const moved = await station(NEW, identity);
    const stranger = await station(OLD);
    announced = NEW;

    // The next viewer meets the stranger: refused by the pin; the service browses and follows.
    await assert.rejects(ffprobe(camera.url));
    await waitFor(() => published.at(-1)?.baseStations[0]?.host === NEW, 15_000, 'the base station followed to its new address');
    assert.deepEqual((await ffprobe(camera.url)).map((s) => s.codec_type), ['video', 'audio'], 'plays from the new address');
    assert.ok(moved.stats.sessionsOpened > 0);
    assert.equal(stranger.stats.requests.length, 0, 'no RTSP request reached the stranger');
    const state = await service.getState();
    assert.equal(state.baseStations[0]?.pinnedFingerprint, pinned, 'the pin is unchanged');
    assert.match(state.baseStations[0]?.notice ?? '', /followed it there/);
    assert.equal(moved.stats.nonceViolations, 0);
  });

  it('is not followed to an address where another certificate answers', async () => {
    const before = (await service.getState()).baseStations[0];
    const camera = (await service.getState()).cameras.find((c) => c.model === 'VMC2030')!;
    const impostor = await station(ELSEWHERE);
    // The base station goes dark; mDNS now names an address where something else answers.
    await stations.find((s) => s.host === NEW)!.stop();
    announced = ELSEWHERE;
    const browsesBefore = browses;
    await assert.rejects(ffprobe(camera.url));
    await waitFor(() => browses > browsesBefore, 15_000, 'a browse after the failure');
    // The probe of the impostor happens within the browse's reaction; give its answer time to land.
    await waitFor(() => impostor.stats.connections > 0, 15_000, 'the impostor probed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = (await service.getState()).baseStations[0];
    assert.deepEqual([after?.host, after?.pinnedFingerprint], [before?.host, before?.pinnedFingerprint], 'neither moved nor re-pinned');
    assert.equal(impostor.stats.requests.length, 0, 'no RTSP request reached the impostor');
  });
});
