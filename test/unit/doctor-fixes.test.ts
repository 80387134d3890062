// A doctor step's "Fix:" says what to do and its detail what was seen: the one never repeats the
// other. Checked over every outcome the steps can reach from the stored data and the loopback
// network (each failure of each data-driven step, a refused and a cut connection, a check that
// throws), and over every failure the stream engine can report to the DESCRIBE and PLAY steps
// (each StreamError code with its advice; the PLAY step used to give the message as its fix too).
// The TLS mismatch and a camera this app holds are checked end to end in test/e2e/doctor.test.ts.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Diagnosis } from '../../src/shared/api.js';
import type { ArloAccount } from '../../src/main/arlo/account.js';
import { diagnose } from '../../src/main/doctor/engine.js';
import { STREAM_ADVICE } from '../../src/main/doctor/outcome.js';
import { defaultAppData } from '../../src/main/store/data-store.js';
import type { AppData, BaseStationRecord, CameraRecord, DataStore, SecretName } from '../../src/main/store/types.js';
import { connectionError, responseError, type StreamErrorCode, StreamError } from '../../src/main/stream/errors.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity } from '../../src/sim/identity.js';

let identity: { certPem: string; keyPem: string };
let otherKeyPem: string;
/** Accepts TCP and cuts each connection at once: the TLS step sees a handshake cut short. */
let cutting: net.Server;
let closedPort: number;

before(async () => {
  const ca = await SimCertificateAuthority.create();
  identity = issueIdentity(ca);
  otherKeyPem = issueIdentity(ca, 'another-installation').keyPem;
  cutting = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
after(() => cutting.close());

const station = (extra: Partial<BaseStationRecord> = {}): BaseStationRecord => ({
  deviceId: 'BS1', name: 'Home base', model: 'VMB5000', uniqueId: 'U_BS1', host: '127.0.0.1', port: closedPort, addressSource: 'typed',
  certificatePem: identity.certPem, ...extra,
});
const camera = (extra: Partial<CameraRecord> = {}): CameraRecord => ({
  deviceId: 'CAM1', name: 'Driveway', model: 'VMC4041P', baseStationId: 'BS1', ownBaseStation: false, codecs: ['avc'], codec: 'avc',
  localStreaming: true, port: 8556, running: false, ...extra,
});

function storeOf(data: AppData, secrets: Partial<Record<SecretName, string>>): DataStore {
  return {
    dir: '/data',
    read: () => Promise.resolve(structuredClone(data)),
    update: (change) => {
      change(data);
      return Promise.resolve(structuredClone(data));
    },
    secrets: {
      protection: 'test',
      get: (name) => Promise.resolve(secrets[name]),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    },
  };
}

/** An account whose cloud answers as `cloud` says: refusing the token, or listing these base stations. */
function accountOf(cloud: { refuse?: Error; baseStations?: string[] }): ArloAccount {
  return {
    checkSession: () => (cloud.refuse ? Promise.reject(cloud.refuse) : Promise.resolve()),
    accountView: () => Promise.resolve({}),
    refreshDevices: () => Promise.resolve({ baseStations: (cloud.baseStations ?? ['BS1']).map((deviceId) => ({ deviceId, name: deviceId, model: 'VMB5000' })), cameras: [] }),
  } as unknown as ArloAccount;
}

interface Scenario {
  stations?: BaseStationRecord[];
  cameras?: CameraRecord[];
  secrets?: Partial<Record<SecretName, string>>;
  cloud?: { refuse?: Error; baseStations?: string[] };
}

function run(scenario: Scenario): Promise<Diagnosis> {
  const data = { ...defaultAppData(), baseStations: scenario.stations ?? [station()], cameras: scenario.cameras ?? [camera()] };
  const secrets = scenario.secrets ?? { arloToken: 'token-0000', clientPrivateKey: identity.keyPem };
  return diagnose(
    { store: storeOf(data, secrets), account: accountOf(scenario.cloud ?? {}), discovery: false },
    { baseStationId: 'BS1', playSeconds: 1 },
  );
}

/** Neither text holds the other: the fix is advice of its own, not the detail again. */
function assertFixIsOwnAdvice(where: string, detail: string, fix: string): void {
  const [d, f] = [detail.trim().toLowerCase(), fix.trim().toLowerCase()];
  assert.ok(f.length > 0, `${where}: a fix is given`);
  assert.ok(!d.includes(f) && !f.includes(d), `${where}: the fix repeats the detail\n  detail: ${detail}\n  fix:    ${fix}`);
}

describe("doctor's fixes", () => {
  // Built when run: the certificates exist only once `before` has made them.
  const cut = () => (cutting.address() as net.AddressInfo).port;
  const scenarios: [string, () => Scenario][] = [
    ['unknown base station', () => ({ stations: [station({ deviceId: 'OTHER' })] })],
    ['no sign-in stored', () => ({ secrets: { clientPrivateKey: identity.keyPem } })],
    ['the check itself throws', () => ({ cloud: { refuse: new Error('the Arlo cloud did not answer') } })],
    ['base station not on the account', () => ({ cloud: { baseStations: ['OTHER'] } })],
    ['no camera', () => ({ cameras: [] })],
    ['camera without local streaming', () => ({ cameras: [camera({ localStreaming: false })] })],
    ['no certificate', () => ({ stations: [station({ certificatePem: undefined })] })],
    ['certificate refused before', () => ({ stations: [station({ certificateRejected: true })] })],
    ['unreadable certificate', () => ({ stations: [station({ certificatePem: 'not a certificate' })] })],
    ['certificate of another key', () => ({ secrets: { arloToken: 'token-0000', clientPrivateKey: otherKeyPem } })],
    ['no address', () => ({ stations: [station({ host: undefined, port: undefined })] })],
    ['nothing listens at the address', () => ({ stations: [station()] })],
    ['the handshake is cut', () => ({ stations: [station({ port: cut() })] })],
  ];

  for (const [name, build] of scenarios) {
    it(`${name}: every step's fix is its own advice`, async () => {
      const diagnosis = await run(build());
      assert.ok(diagnosis.steps.some((s) => s.status !== 'pass'), `${name} reaches a failure or a skip`);
      for (const step of diagnosis.steps) {
        if (step.fix !== undefined) assertFixIsOwnAdvice(`${name}, ${step.name}`, step.detail, step.fix);
      }
    });
  }

  it('every failure the stream engine reports to PLAY has advice that is not its message', () => {
    const where = '127.0.0.1:554';
    const errors: StreamError[] = [
      ...[400, 401, 403, 404, 453, 486, 503, 500].map((status) => responseError(where, 'PLAY', { status, reason: 'Reason', headers: new Map(), body: Buffer.alloc(0) } as never)),
      ...['ECONNREFUSED', 'ECONNRESET', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'EOTHER'].flatMap((code) => [
        connectionError(Object.assign(new Error(code), { code }), where),
        connectionError(Object.assign(new Error(code), { code }), where, true),
      ]),
    ];
    const codes = new Set(errors.map((e) => e.code));
    for (const error of errors) assertFixIsOwnAdvice(`${error.code}: ${error.message}`, error.message, STREAM_ADVICE[error.code]);
    // Every code has advice of its own, including those no error above produced.
    for (const [code, advice] of Object.entries(STREAM_ADVICE) as [StreamErrorCode, string][]) {
      assert.ok(advice.length > 20, `${code} has advice`);
      if (!codes.has(code)) assertFixIsOwnAdvice(code, new StreamError(code, `a ${code} failure`).message, advice);
    }
  });
});
