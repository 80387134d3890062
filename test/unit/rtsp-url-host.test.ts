import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestUrl, urlHostCandidates } from '../../src/main/rtsp/url-host.js';

const authorities = (facts: Parameters<typeof urlHostCandidates>[0]) => urlHostCandidates(facts).map((h) => `${h.form} ${h.authority}`);

describe('urlHostCandidates', () => {
  it('the address with its port first (as the POC and this app always did), then the mDNS host name without a port', () => {
    assert.deepEqual(authorities({ address: '192.0.2.7', port: 554, mdnsHostName: 'VMB5000-2.local.', model: 'VMB5000' }), [
      'address 192.0.2.7:554',
      'mdns-name VMB5000-2.local',
    ]);
  });

  it('<modelId[:7]>.local (Scrypted 2023) when mDNS named nothing', () => {
    assert.deepEqual(authorities({ address: '192.0.2.7', port: 554, model: 'vmb4000r3' }), ['address 192.0.2.7:554', 'model-name VMB4000.local']);
  });

  it('the form that worked last goes first', () => {
    assert.deepEqual(authorities({ address: '192.0.2.7', port: 554, mdnsHostName: 'VMB5000.local', model: 'VMB5000', lastWorked: 'mdns-name' }), [
      'mdns-name VMB5000.local',
      'address 192.0.2.7:554',
    ]);
    assert.deepEqual(authorities({ address: '192.0.2.7', port: 554, mdnsHostName: 'VMB5000-2.local', model: 'VMB5000', lastWorked: 'model-name' }), [
      'model-name VMB5000.local',
      'address 192.0.2.7:554',
      'mdns-name VMB5000-2.local',
    ]);
  });

  it('an address typed as the name mDNS gives is tried once; IPv6 goes in brackets', () => {
    assert.deepEqual(authorities({ address: 'vmb5000.local', port: 554, mdnsHostName: 'VMB5000.local', model: 'VMB5000' }), ['address vmb5000.local:554']);
    assert.deepEqual(authorities({ address: 'fe80::1', port: 554 }), ['address [fe80::1]:554']);
  });

  it('builds the request URL', () => {
    assert.equal(requestUrl({ form: 'mdns-name', authority: 'VMB5000.local' }, '/CAM/tcp/avc'), 'rtsp://VMB5000.local/CAM/tcp/avc');
  });
});
