// `npm run sim -- --replay FILE` as a developer runs it (the built dist/sim/cli.js): it prints the
// captured camera's URL on its own port, writes a client certificate of its CA with --out, and
// answers with the capture's answers and Nonces to a strict client; a file that is no capture ends
// it with a plain error and exit code 2.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCapture } from '../../src/main/capture/format.js';
import { TestRtspClient } from '../integration/sim-client.js';
import { run } from '../support/stream-rig.js';
import { waitFor } from '../support/wait.js';

const SIM = new URL('../../dist/sim/cli.js', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/captures/lower-case-headers.json', import.meta.url).pathname;

describe('npm run sim -- --replay', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves the capture to a strict client, as recorded', async () => {
    const out = await mkdtemp(join(tmpdir(), 'sim-replay-'));
    dirs.push(out);
    const child = spawn(process.execPath, [SIM, '--replay', FIXTURE, '--port', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes('Client certificate and key in'), 20_000, 'the simulator to start');
      const capture = await readCapture(FIXTURE);
      assert.match(output, new RegExp(`replaying ${FIXTURE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, captured ${capture.startedAt}`));
      const url = new RegExp(`rtsp://127\\.0\\.0\\.1:(\\d+)/${capture.camera.deviceId}/tcp/avc`).exec(output);
      assert.ok(url, output);
      const identity = { certPem: await readFile(join(out, 'client.pem'), 'utf8'), keyPem: await readFile(join(out, 'client-key.pem'), 'utf8') };
      const client = await TestRtspClient.connectTls(Number(url[1]), identity);
      try {
        const options = await client.request('OPTIONS', url[0]);
        assert.equal(options.status, 200);
        const recorded = capture.connections[0]!.messages.find((m) => m.from === 'base-station')!.head;
        assert.equal(options.headers.get('Nonce'), /^nonce: (\d+)\r$/m.exec(recorded)?.[1], 'the recorded Nonce');
        assert.ok([...options.headers].every(([name]) => name === name.toLowerCase()), 'header names in lower case, as recorded');
      } finally {
        client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('ends with a plain error on a file that is not a capture', async () => {
    const result = await run(process.execPath, [SIM, '--replay', new URL('../../package.json', import.meta.url).pathname]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /package\.json is not a capture file \(it has no "format": "arlo-rtsp-capture"\)\. A capture is the \.json file "arlo-rtsp doctor --capture FILE" writes\./);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack');
  });
});
