// What the UI tests drive: the simulated Arlo cloud and base station, the app service, and the
// web binding + static renderer on 127.0.0.1. A stand-in for `arlo-rtsp demo` until that command
// exists; it wires the same parts.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticHandler } from '../../src/main/headless/static.js';
import { createWebBinding } from '../../src/main/headless/web-binding.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService } from '../../src/main/service.js';
import { SimBaseStation } from '../../src/sim/basestation.js';
import { startSimCloud, type SimAccount } from '../../src/sim/cloud/index.js';

export interface UiServer {
  url: string;
  account: SimAccount;
  baseStationPort: number;
  lastCode(): string | undefined;
  close(): Promise<void>;
}

export async function startUiServer(): Promise<UiServer> {
  const cloud = await startSimCloud();
  const account = cloud.accounts.mfa;
  const cameras = cloud.devicesOf(account).filter((d) => d.deviceType === 'camera');
  const station = new SimBaseStation({
    ca: cloud.ca,
    cameras: cameras.map((c) => ({ deviceId: c.deviceId, codecs: c.modelId === 'VMC5040' ? ['avc', 'hevc'] : ['avc'] })),
  });
  const { port: baseStationPort } = await station.start();
  process.env.ARLO_API_URL = cloud.apiUrl;
  process.env.ARLO_AUTH_URL = cloud.authUrl;
  const dataDir = await mkdtemp(join(tmpdir(), 'ui-data-'));
  const service = await createAppService({
    dataDir, passphrase: 'ui test', logger: silentLogger, shell: 'web', discovery: false,
    // A random port base keeps parallel test runs apart.
    overrides: { portBase: 20000 + Math.floor(Math.random() * 40000) },
  });
  const binding = createWebBinding({ api: service, listenHost: '127.0.0.1', logger: silentLogger });
  const serveStatic = createStaticHandler();
  const http = createServer((req, res) => {
    if (binding.handleRequest(req, res)) return;
    void serveStatic(req, res).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  binding.attach(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    account,
    baseStationPort,
    lastCode: () => cloud.lastCode(account.email),
    async close() {
      await binding.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await service.close();
      await station.stop();
      await cloud.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
