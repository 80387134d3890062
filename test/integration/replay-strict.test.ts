// The replaying base station is as strict as the simulator (and so as the real one): a client
// certificate not from its CA fails the handshake, a wrong Nonce is refused 400 and counted, a path
// the capture did not record is refused 404; and it answers as recorded, quirks kept (loose syntax,
// a wrong CSeq offset, the recorded Nonce values), and a recorded refusal is replayed as a refusal.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseCapture, type Capture } from '../../src/main/capture/format.js';
import { silentLogger } from '../../src/main/log.js';
import { StreamError } from '../../src/main/stream/errors.js';
import { UpstreamSession } from '../../src/main/stream/upstream.js';
import { SimCertificateAuthority } from '../../src/sim/ca.js';
import { issueIdentity } from '../../src/sim/identity.js';
import { camerasOfCapture } from '../../src/sim/replay.js';
import { rigsClosedAfterTests } from '../support/stream-rig.js';
import { TestRtspClient } from './sim-client.js';

const load = async (name: string): Promise<Capture> =>
  parseCapture(await readFile(new URL(`../fixtures/captures/${name}.json`, import.meta.url), 'utf8'));

function streamUrl(capture: Capture, port: number, suffix = ''): string {
  return `rtsp://127.0.0.1:${port}${new URL(capture.connections[0]!.url).pathname}${suffix}`;
}

describe('the replaying base station', () => {
  const rig = rigsClosedAfterTests();

  it('refuses a client certificate from another CA at the handshake', async () => {
    const capture = await load('default');
    const { station } = await rig({ cameras: camerasOfCapture(capture), station: { replay: capture } });
    const stranger = issueIdentity(await SimCertificateAuthority.create());
    await assert.rejects(async () => {
      const client = await TestRtspClient.connectTls(station.port, stranger);
      await client.request('OPTIONS', streamUrl(capture, station.port));
    });
    assert.ok(station.stats.tlsRejected >= 1);
  });

  it('refuses a wrong Nonce (400, counted) and a path the capture did not record (404)', async () => {
    const capture = await load('default');
    const { station, identity } = await rig({ cameras: camerasOfCapture(capture), station: { replay: capture } });
    const client = await TestRtspClient.connectTls(station.port, identity);
    try {
      const first = await client.request('OPTIONS', streamUrl(capture, station.port));
      assert.equal(first.status, 200);
      const recordedFirst = /Nonce: (\d+)/.exec(capture.connections[0]!.messages[1]!.head)?.[1];
      assert.equal(first.headers.get('Nonce'), recordedFirst, 'the recorded Nonce value');
      const skipped = await client.request('DESCRIBE', streamUrl(capture, station.port), {}, BigInt(first.headers.get('Nonce')!) + 2n);
      assert.equal(skipped.status, 400);
      assert.equal(station.stats.nonceViolations, 1);
      const elsewhere = await client.request('DESCRIBE', `rtsp://127.0.0.1:${station.port}/OTHERCAM/tcp/avc`);
      assert.equal(elsewhere.status, 404);
      station.stats.nonceViolations = 0; // counted on purpose here; the rig's close checks the rest
    } finally {
      client.close();
    }
  });

  it('answers as recorded: loose syntax kept, CSeq offset kept, the origin made its own', async () => {
    const loose = await load('loose-syntax');
    const { station, identity } = await rig({ cameras: camerasOfCapture(loose), station: { replay: loose } });
    const client = await TestRtspClient.connectTls(station.port, identity);
    const heads: string[] = [];
    client.socket.on('data', (chunk: Buffer) => heads.push(chunk.toString('latin1')));
    try {
      const described = await (async () => {
        await client.request('OPTIONS', streamUrl(loose, station.port));
        return client.request('DESCRIBE', streamUrl(loose, station.port), { Accept: 'application/sdp' });
      })();
      assert.equal(described.status, 200);
      const wire = heads.join('');
      assert.match(wire, /^RTSP\/1\.0 {2}200\t OK\n/m, 'the status line as the recorded base station wrote it');
      assert.match(wire, /^Arlo embedded RTSP\n/m, 'the header line without a colon');
      assert.match(wire, /^content-LENGTH: {2}\t \d+ octets\n/m);
      assert.equal(described.headers.get('Content-Base'), `${streamUrl(loose, station.port)}/`, 'the recorded origin becomes the replay\'s');
      assert.match(described.body.toString(), /^m=video 0 RTP\/AVP 96/m);
    } finally {
      client.close();
    }

    const wrong = await load('small-nonces-wrong-cseq');
    const replay = await rig({ cameras: camerasOfCapture(wrong), station: { replay: wrong } });
    const other = await TestRtspClient.connectTls(replay.station.port, replay.identity);
    try {
      const answer = await other.request('OPTIONS', streamUrl(wrong, replay.station.port));
      assert.equal(answer.headers.get('CSeq'), '1001', 'the recorded base station answered CSeq n with n + 1000');
      assert.ok(Number(answer.headers.get('Nonce')) < 1000, 'its small Nonces');
    } finally {
      other.close();
    }
  });

  it('replays a recorded refusal: a capture whose DESCRIBE was answered 404 fails the engine the same way', async () => {
    const capture = await load('default');
    const connection = capture.connections[0]!;
    const described = connection.messages.findIndex((m) => m.from === 'base-station' && m.body?.startsWith('v=0'));
    const refused: Capture = {
      ...capture,
      connections: [{
        ...connection,
        messages: [
          ...connection.messages.slice(0, described),
          { ...connection.messages[described]!, head: connection.messages[described]!.head.replace(/^RTSP\/1\.0 200 OK/, 'RTSP/1.0 404 Not Found').replace(/Content-Length: \d+/, 'Content-Length: 0'), body: '' },
        ],
        frames: [],
      }],
    };
    const { station, identity } = await rig({ cameras: camerasOfCapture(refused), station: { replay: refused } });
    const error = await UpstreamSession.open({
      host: '127.0.0.1', port: station.port, path: new URL(connection.url).pathname,
      certificatePem: identity.certPem, privateKeyPem: identity.keyPem, logger: silentLogger,
    }, { onFrame: () => undefined }).then(() => undefined, (failure: unknown) => failure);
    assert.ok(error instanceof StreamError, String(error));
    assert.match(error.message, /404/);
    assert.deepEqual(station.stats.requests.map((r) => `${r.method} ${r.status}`), ['OPTIONS 200', 'DESCRIBE 404']);
  });
});
