// Every AppApi method called over the web binding with arguments of the wrong type, against the
// real service and its files: each call gets 400 with a sentence naming the method and the
// argument, and the data directory (settings, secrets) stays byte for byte as it was. The cases
// the security review found are among them: a number or null as the LAN password.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testAccessToken } from '../support/access-token.js';
import { serveBinding } from '../support/binding-server.js';
import { silentLogger } from '../../src/main/log.js';
import { createWebBinding } from '../../src/main/headless/web-binding.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { APP_API_METHODS, type AppApiMethod } from '../../src/shared/api.js';

const PASSWORD = 'a-long-enough-password';

/** Wrong-typed arguments for every method: numbers where strings go, strings where numbers or objects go, or one too many. */
const WRONG: { [M in AppApiMethod]: unknown[][] } = {
  getState: [[1]],
  signIn: [[1, 'pw'], ['a@b.c', null]],
  chooseFactor: [[{}]],
  submitMfaCode: [[123456]],
  cancelSignIn: [['x']],
  useToken: [[['token']]],
  signOut: [[true]],
  refreshDevices: [[null]],
  enroll: [['bs'], [[1]]],
  setBaseStationAddress: [['bs', 10], ['bs', '10.0.0.2', '4000'], [null, null]],
  forgetPinnedCertificate: [[42], []],
  diagnose: [['bs'], [{ baseStationId: 1 }], [{ baseStationId: 'bs', playSeconds: '5' }], [{ baseStationId: 'bs', extra: true }]],
  startCamera: [[7]],
  stopCamera: [[]],
  startAll: [[{}]],
  stopAll: [[0]],
  setCameraCodec: [['cam', 'mjpeg'], ['cam']],
  setCameraBattery: [['cam', 'yes'], ['cam']],
  updateSettings: [
    [{ lanPassword: 12345 }], [{ lanPassword: null }], [{ listenAddress: 0 }], [{ portBase: '8554' }],
    [{ lingerSeconds: 1.5 }], [{ launchAtLogin: 'yes' }], [{ lanAllowBasic: 1 }], [{ batteryCapMinutes: '5' }], [{ batteryWarnMinutes: null }], [{ unknown: true }], [null], ['x'],
  ],
  openInPlayer: [[1]],
  restartToUpdate: [['now']],
  viewerUrl: [[undefined]],
  latestPicture: [[42]],
};

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) files.set(name, (await readFile(join(dir, name))).toString('base64'));
  return files;
}

describe('AppApi arguments over HTTP', () => {
  let dataDir: string;
  let service: AppService;
  let port: number;
  let close: () => Promise<void>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'api-arguments-'));
    service = await createAppService({ dataDir, passphrase: 'arguments test', logger: silentLogger, shell: 'web', discovery: false });
    await service.updateSettings({ lanUsername: 'viewer', lanPassword: PASSWORD });
    const binding = createWebBinding({ api: service, listenHost: '127.0.0.1', accessToken: await testAccessToken(), requireTokenOnLoopback: false, logger: silentLogger });
    ({ port, close } = await serveBinding(binding));
  });

  after(async () => {
    await close();
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function call(method: string, args: unknown[]): Promise<{ status: number; body: { code?: string; message?: string } }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/call/${method}`, method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string; message?: string } }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(args));
    });
  }

  it('answers 400 with a clear message for wrong-typed arguments to every method, and changes nothing on disk', async () => {
    const before = await snapshot(dataDir);
    assert.ok(before.has('settings.json') && before.has('secrets.json'), [...before.keys()].join(', '));
    for (const method of APP_API_METHODS) {
      assert.ok(WRONG[method].length > 0, method);
      for (const args of WRONG[method]) {
        const answer = await call(method, args);
        const what = `${method}(${JSON.stringify(args)})`;
        assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.code, 'bad-request', what);
        assert.match(answer.body.message ?? '', new RegExp(`^Wrong arguments to ${method}\\b.*: .+\\.$`), what);
      }
    }
    assert.equal((await call('updateSettings', [{ lanPassword: 12345 }])).body.message,
      'Wrong arguments to updateSettings (argument 1, lanPassword): Invalid input: expected string, received number.');
    assert.deepEqual(await snapshot(dataDir), before);
    // The password still works as set: nothing was stored in its place.
    assert.equal((await service.getState()).settings.lanPasswordSet, true);
  });

  it('takes JSON null in an optional argument as the argument left out, for every method that has one', async () => {
    // What the web client sends for `enroll(undefined)` and `setBaseStationAddress(id, host, undefined)`.
    const enroll = await call('enroll', [null]);
    assert.notEqual(enroll.status, 400, JSON.stringify(enroll.body));
    assert.doesNotMatch(enroll.body.message ?? '', /Wrong arguments/);
    const address = await call('setBaseStationAddress', ['no-such-station', '192.168.1.20', null]);
    assert.notEqual(address.status, 400, JSON.stringify(address.body));
    assert.doesNotMatch(address.body.message ?? '', /Wrong arguments/);
  });

  it('says in words what is wrong with a typed address, never in schema text', async () => {
    for (const [args, said] of [
      [['bs', '999.1.1.1'], /^"999\.1\.1\.1" is not an IP address: each of its four numbers is 0 to 255\. Type an IP address such as 192\.168\.1\.20/],
      [['bs', '1.2.3'], /^"1\.2\.3" is not an IP address: it has four numbers separated by dots\./],
      [['bs', 'foo bar'], /^"foo bar" is not an address: it has a space in it\./],
      [['bs', '192.168.1.20', 99999], /^Port 99999 does not exist: ports are 1 to 65535\./],
      [['bs', '192.168.1.20', 0], /^Port 0 does not exist/],
      [['bs', '192.168.1.20:abc'], /not an address: a port goes after the last colon as digits/],
      [['bs', 'base_station!'], /^"base_station!" is not a host name: use letters, digits, dots and hyphens only\./],
    ] as const) {
      const answer = await call('setBaseStationAddress', [...args]);
      assert.equal(answer.status, 422, `${JSON.stringify(args)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, 'invalid-address');
      assert.match(answer.body.message ?? '', said);
    }
  });
});
