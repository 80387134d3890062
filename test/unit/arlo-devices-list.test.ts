// The device list is read entry by entry: one entry of a kind this app does not know (no model,
// no uniqueId) must not hide the base stations and cameras around it. Real HTTP on loopback.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { ArloApiClient } from '../../src/main/arlo/api-client.js';
import { ArloHttp } from '../../src/main/arlo/http.js';

let server: Server;
let http: ArloHttp;
let seenAuthorization: string | undefined;

const devices = [
  { deviceId: 'BASE1', uniqueId: 'U_BASE1', deviceType: 'basestation', deviceName: 'Base', modelId: 'VMB5000' },
  { deviceId: 'CHIME1', deviceType: 'chime', deviceName: 'Chime' },
  { deviceId: 'CAM1', uniqueId: 'U_CAM1', deviceType: 'camera', deviceName: 'Cam', modelId: 'VMC5040', parentId: 'BASE1', extra: { anything: 1 } },
  // A name that would clear the terminal, forge a log line and read backwards in the UI.
  { deviceId: 'CAM2', uniqueId: 'U_CAM2', deviceType: 'camera', deviceName: 'Yard\u001b[2J\r\n[warn] fake\u202eline\u0007', modelId: 'VMC\u009b5040', parentId: 'BASE1' },
];

before(async () => {
  server = createServer((req, res) => {
    seenAuthorization = req.headers.authorization;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ success: true, data: devices }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = new ArloHttp({ apiUrl: url, authUrl: url });
});
after(async () => {
  await http.close();
  await new Promise((resolve) => server.close(resolve));
});

it('skips device entries it cannot read and keeps the rest', async () => {
  const list = await new ArloApiClient(http, 'raw-token').devices();
  assert.deepEqual(list.map((d) => d.deviceId), ['BASE1', 'CAM1', 'CAM2']);
  assert.equal(seenAuthorization, 'raw-token', 'the API host gets the raw token, no "Bearer"');
});

it('strips control characters from the names and models the cloud sends', async () => {
  const cam = (await new ArloApiClient(http, 'raw-token').devices()).find((d) => d.deviceId === 'CAM2')!;
  assert.equal(cam.deviceName, 'Yard [2J [warn] fake line');
  assert.equal(cam.modelId, 'VMC 5040');
});
