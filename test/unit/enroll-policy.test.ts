// The enrollment policy, the capabilities reading and the device merge: pure functions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeDevices, parseCapabilities, stationLocalStreaming, type FoundDevices } from '../../src/main/arlo/devices.js';
import { derBase64ToPem, parseCertificate } from '../../src/main/enroll/certificate.js';
import { generatePrivateKeyPem, publicKeyForCloud } from '../../src/main/enroll/key-pair.js';
import { enrollmentDecision } from '../../src/main/enroll/policy.js';
import { defaultAppData } from '../../src/main/store/data-store.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';

describe('enrollment policy', async () => {
  const ca = await SimCertificateAuthority.create();
  const key = await generatePrivateKeyPem();
  const otherKey = await generatePrivateKeyPem();
  const now = new Date();
  const issue = (validDays: number, notBefore?: Date) =>
    ca.issueClientCertificate(publicKeyForCloud(key), { commonName: 't', validDays, ...(notBefore ? { notBefore } : {}) }).pem;

  it('keeps a good certificate', () => {
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(365) }, key, now), { enroll: false });
  });
  it('enrolls when missing, unreadable, rejected, expired, expiring or not matching the key', () => {
    assert.deepEqual(enrollmentDecision({}, key, now), { enroll: true, reason: 'missing' });
    assert.deepEqual(enrollmentDecision({ certificatePem: 'garbage' }, key, now), { enroll: true, reason: 'missing' });
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(365), certificateRejected: true }, key, now), { enroll: true, reason: 'rejected' });
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(1, new Date(now.getTime() - 3 * 86_400_000)) }, key, now), { enroll: true, reason: 'expired' });
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(6) }, key, now), { enroll: true, reason: 'expiring' });
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(365) }, otherKey, now), { enroll: true, reason: 'key-mismatch' });
    assert.deepEqual(enrollmentDecision({ certificatePem: issue(365) }, undefined, now), { enroll: true, reason: 'key-mismatch' });
  });
  it('sends the public key as bare base64 DER SPKI', () => {
    const spki = publicKeyForCloud(key);
    assert.doesNotMatch(spki, /BEGIN|\n|\s/);
    assert.equal(Buffer.from(spki, 'base64').length, 294, 'an RSA-2048 SubjectPublicKeyInfo');
  });
});

describe("a base station's sipLiveStream", () => {
  const sip = (value: unknown) => stationLocalStreaming({ Capabilities: { sipLiveStream: value } });
  it('is listed with a supported key (as Scrypted reads it) unless it is exactly false, and in the other shapes seen', () => {
    for (const value of [{ supported: true }, { supported: {} }, { supported: null }, true, 'Supported', ['supported']]) {
      assert.deepEqual(sip(value), { supported: true }, JSON.stringify(value));
    }
  });
  it('is not listed otherwise, saying what Arlo said', () => {
    assert.deepEqual(sip({ supported: false }), { supported: false, said: 'its capabilities say sipLiveStream: {"supported":false}' });
    assert.deepEqual(sip({ enabled: true }), { supported: false, said: 'its capabilities say sipLiveStream: {"enabled":true}' });
    assert.deepEqual(sip(false), { supported: false, said: 'its capabilities say sipLiveStream: false' });
    assert.deepEqual(stationLocalStreaming({ Capabilities: {} }), { supported: false, said: 'its capabilities do not list sipLiveStream' });
    assert.deepEqual(stationLocalStreaming({}), { supported: false, said: 'its capabilities document has no Capabilities section' });
    assert.deepEqual(stationLocalStreaming(undefined), { supported: false, said: 'Arlo has no capabilities document for this model' });
    assert.match(sip({ note: `x\u001b[31m${'y'.repeat(200)}` }).said ?? '', /^its capabilities say sipLiveStream: \{"note":"x\\u001b\[31my+\.\.\.$/);
  });
});

describe('capabilities', () => {
  it('reads local streaming and codecs in both shapes', () => {
    assert.deepEqual(parseCapabilities({ Capabilities: { Streaming: { LocalStreaming: true }, Video: { Codecs: { H264: {} } } } }), { localStreaming: true, codecs: ['avc'], battery: undefined });
    assert.deepEqual(parseCapabilities({ Capabilities: { Streaming: { LocalStreaming: true }, Video: [{ Codecs: { H264: {} } }, { Codecs: ['hevc'] }] } }), { localStreaming: true, codecs: ['avc', 'hevc'], battery: undefined });
    assert.deepEqual(parseCapabilities({ Capabilities: { Video: { Codecs: { H265: {} } } } }), { localStreaming: false, codecs: ['avc', 'hevc'], battery: undefined });
    assert.deepEqual(parseCapabilities('nonsense'), { localStreaming: false, codecs: ['avc'], battery: undefined });
  });
  it('counts LocalStreaming as supported when the key is present and not exactly false (as Scrypted)', () => {
    const local = (value: unknown) => parseCapabilities({ Capabilities: { Streaming: { LocalStreaming: value } } }).localStreaming;
    for (const value of [true, {}, { Enabled: false }, 'yes', 1, []]) assert.equal(local(value), true, JSON.stringify(value));
    assert.equal(local(false), false);
    assert.equal(parseCapabilities({ Capabilities: { Streaming: {} } }).localStreaming, false, 'key absent');
  });
});

describe('device merge', () => {
  const found = (ids: string[]): FoundDevices => ({
    baseStations: [{ deviceId: 'BS', name: 'Base', model: 'VMB5000', uniqueId: 'U_BS', owned: true }],
    cameras: ids.map((id) => ({ deviceId: id, name: id, model: 'M', baseStationId: 'BS', ownBaseStation: false, localStreaming: true, codecs: ['avc', 'hevc'], owned: true, reportedBattery: undefined })),
  });

  it('gives new cameras the lowest free ports and keeps ports, codec choices, addresses and certificates', () => {
    const data = defaultAppData();
    mergeDevices(data, found(['A', 'B']));
    assert.deepEqual(data.cameras.map((c) => [c.deviceId, c.port]), [['A', 8556], ['B', 8557]]);
    data.cameras[0]!.codec = 'hevc';
    data.cameras[0]!.port = 9000;
    data.baseStations[0]!.host = '192.168.1.5';
    data.baseStations[0]!.certificatePem = 'PEM';
    mergeDevices(data, found(['C', 'A', 'B']));
    assert.deepEqual(data.cameras.map((c) => [c.deviceId, c.port, c.codec]), [['C', 8556, 'avc'], ['A', 9000, 'hevc'], ['B', 8557, 'avc']]);
    assert.equal(data.baseStations[0]?.host, '192.168.1.5');
    assert.equal(data.baseStations[0]?.certificatePem, 'PEM');
  });
});

it('a certificate from the cloud reads the same bare, wrapped in lines, or in PEM armour', async () => {
  const ca = await SimCertificateAuthority.create();
  const pem = ca.certificatePem;
  const bare = pem.replace(/-----[^-]+-----|\s/g, '');
  const expected = parseCertificate(derBase64ToPem(bare))!.fingerprint256;
  for (const variant of [bare.match(/.{1,64}/g)!.join('\r\n'), pem, pem.replace(/\n/g, '\r\n')]) {
    assert.equal(parseCertificate(derBase64ToPem(variant))?.fingerprint256, expected, variant.slice(0, 40));
  }
});
