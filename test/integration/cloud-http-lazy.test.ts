// `serve` (and the tray app) run for days without calling the Arlo cloud, so the cloud's HTTP stack,
// undici and tough-cookie, is loaded on the first call, not at start. Loaded at start, the two held
// 4.4 MB of serve's heap that every major collection walks, and undici compiled its HTTP parser
// (WebAssembly), after which V8 woke a thread 4 times in the first two minutes
// (docs/benchmarks-history.md, "Idle after start"). undici is a CommonJS package, so Node's module cache
// shows whether it was loaded (tough-cookie, an ES module, comes with it and is not listed there).
// Real HTTP on loopback stands in for the cloud.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { silentLogger } from '../../src/main/log.js';

const require = createRequire(import.meta.url);
const undiciLoaded = () => Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]undici[\\/]/.test(path));

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

it('serve starts without loading the cloud client, and its first call to the cloud loads it', async () => {
  const calls: string[] = [];
  const cloud: Server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ success: false, data: { error: '2015', message: 'Session expired' } }));
  });
  await new Promise<void>((resolve) => cloud.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => cloud.close(resolve)));
  const url = `http://127.0.0.1:${(cloud.address() as AddressInfo).port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'cloud-lazy-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

  // What `arlo-rtsp` loads before it runs a command (every command's module), then serve itself.
  await import('../../src/main/headless/commands/index.js');
  const { runServe } = await import('../../src/main/headless/commands/serve.js');
  const running = await runServe({ dataDir, http: '127.0.0.1:0', logger: silentLogger, discovery: false, arloEndpoints: { apiUrl: url, authUrl: url } });
  cleanups.push(() => running.close());
  assert.equal(undiciLoaded(), false, 'undici is not loaded while serve runs without calling the cloud');

  // A pasted token is checked with the cloud: the first call, which loads the client and reaches the host.
  await running.service.useToken('a-pasted-token-0123456789').then(() => assert.fail('the cloud refused the session'), (error: unknown) => error);
  assert.ok(calls.length > 0, 'the call reached the cloud');
  assert.ok(undiciLoaded(), 'undici is loaded for it');
});
