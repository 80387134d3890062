import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { RemoteInfo } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import { ARLO_SERVICE, discoverBaseStations } from '../../src/main/discovery/mdns.js';
import { closeMdns, openMdns, type Mdns } from '../../src/main/discovery/mdns-socket.js';

// Everything stays on loopback: both ends join the group on 127.0.0.1 only and send through it.
const LOOPBACK = '127.0.0.1';
const PORT = 20000 + Math.floor(Math.random() * 30000);

let loopbackMulticast: string | undefined;
try {
  execFileSync('ip', ['link', 'set', 'lo', 'multicast', 'on'], { stdio: 'pipe' });
} catch (error) {
  loopbackMulticast = `skipped: cannot enable multicast on lo (${(error as Error).message.split('\n')[0]}); needs root and iproute2`;
}

describe('mDNS discovery of base stations (loopback only)', { skip: loopbackMulticast }, () => {
  let responder: Mdns;
  const sources: RemoteInfo[] = [];

  before(async () => {
    responder = await openMdns({ interface: LOOPBACK, port: PORT });
    const full = `VMB5000-A.${ARLO_SERVICE}`;
    const terse = `VMB4540-B.${ARLO_SERVICE}`;
    // One base station answers everything at once; the other only the PTR, so the browser must
    // ask for its SRV, TXT and A on its own.
    const records: Record<string, Answer[]> = {
      [`PTR ${ARLO_SERVICE}`]: [
        { name: ARLO_SERVICE, type: 'PTR', data: full },
        { name: ARLO_SERVICE, type: 'PTR', data: terse },
      ],
      [`SRV ${terse}`]: [{ name: terse, type: 'SRV', data: { target: 'VMB4540.local', port: 554 } }],
      [`TXT ${terse}`]: [{ name: terse, type: 'TXT', data: ['model=VMB4540', 'DeviceID=5DD1234567890'] }],
      [`A VMB4540.local`]: [{ name: 'VMB4540.local', type: 'A', data: '127.0.0.2' }],
    };
    const fullAdditionals: Answer[] = [
      { name: full, type: 'SRV', data: { target: 'VMB5000.local', port: 554 } },
      { name: full, type: 'TXT', data: ['deviceid=4R01234567890'] },
      { name: 'VMB5000.local', type: 'A', data: '127.0.0.1' },
    ];
    responder.on('query', (query, rinfo) => {
      sources.push(rinfo);
      for (const question of query.questions) {
        const answers = records[`${question.type} ${question.name}`];
        if (!answers) continue;
        const isBrowse = question.type === 'PTR';
        responder.respond({ answers, additionals: isBrowse ? fullAdditionals : [] });
      }
    });
  });
  after(async () => {
    await closeMdns(responder);
  });

  it('finds both base stations over real multicast DNS, following SRV, TXT and A', { timeout: 10_000 }, async () => {
    const found = await discoverBaseStations({ timeoutMs: 1500, interface: LOOPBACK, port: PORT });
    assert.deepEqual(
      found.sort((a, b) => a.deviceId.localeCompare(b.deviceId)),
      [
        { deviceId: '4R01234567890', host: '127.0.0.1', port: 554, hostname: 'VMB5000.local' },
        { deviceId: '5DD1234567890', host: '127.0.0.2', port: 554, hostname: 'VMB4540.local' },
      ],
    );
    const asked = new Set(sources.map((s) => s.address));
    // A query sent through any other interface would carry that interface's address.
    assert.deepEqual([...asked], [LOOPBACK]);
  });

  it('an abort ends the browse early with the signal reason', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stopped by test')), 100);
    await assert.rejects(discoverBaseStations({ timeoutMs: 5000, interface: LOOPBACK, port: PORT, signal: controller.signal }), /stopped by test/);
    assert.ok(Date.now() - started < 2000);
  });

  it('nothing answering means an empty list after the timeout', { timeout: 10_000 }, async () => {
    const found = await discoverBaseStations({ timeoutMs: 300, interface: LOOPBACK, port: PORT + 1 });
    assert.deepEqual(found, []);
  });
});
