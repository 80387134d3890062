// The web binding and static serving over real HTTP and WebSocket on 127.0.0.1, with a small
// fake AppApi standing in for the service.

import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { resolveInside } from '../../src/main/headless/static.js';
import { createWebBinding } from '../../src/main/headless/web-binding.js';
import { testAccessToken } from '../support/access-token.js';
import { serveBinding } from '../support/binding-server.js';
import type { CameraMedia } from '../../src/main/live/media.js';
import { isLoopbackAddress } from '../../src/shared/net.js';
import { AppError } from '../../src/main/errors.js';
import { silentLogger } from '../../src/main/log.js';
import { RENDERER_CSP } from '../../src/shared/csp.js';
import { APP_API_METHODS, type AppApiClient, type AppState } from '../../src/shared/api.js';

function fakeState(n: number): AppState {
  return {
    account: { signedIn: true, tokenExpired: false },
    signIn: { step: 'signed-in' },
    baseStations: [],
    cameras: [],
    settings: { listenAddress: '127.0.0.1', portBase: 8554, lanPasswordSet: false, lanAllowBasic: false, launchAtLogin: false, notifications: true, updateChecks: true, requireAccessToken: false, lingerSeconds: n, batteryWarnMinutes: 10, batteryCapMinutes: null, subStreamWidth: 640, subStreamFps: 5, onvif: false, onvifAddresses: {} },
    transcoder: { available: true, encoder: 'libx264', hardware: false, probing: false },
    warnings: [],
    shell: 'web',
  };
}

/** A fake service: records calls, publishes on demand. */
function fakeApi() {
  const calls: { method: string; args: unknown[] }[] = [];
  const listeners = new Set<(s: AppState) => void>();
  const record = (method: string) => async (...args: unknown[]) => {
    calls.push({ method, args });
    if (method === 'getState') return fakeState(0);
    if (method === 'signIn' && args[1] === 'wrong') throw new AppError('bad-credentials', 'Email or password is wrong.');
    if (method === 'enroll') return [{ baseStationId: String((args[0] as string[])[0]), result: 'enrolled', message: 'ok' }];
    if (method === 'stopAll') throw new Error('boom');
    return undefined;
  };
  const api = Object.fromEntries(APP_API_METHODS.map((m) => [m, record(m)])) as unknown as AppApiClient;
  api.subscribe = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { api, calls, publish: (s: AppState) => listeners.forEach((l) => l(s)), listeners };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function httpRequest(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const json = { 'Content-Type': 'application/json' };

/** Opens a socket and collects its messages; resolves once open (or rejects on refusal). */
function openEvents(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  const nextCount = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} messages`)), 3000);
      const check = () => (messages.length >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, messages, nextCount, closed, opened };
}

describe('web binding on loopback', async () => {
  const fake = fakeApi();
  const binding = createWebBinding({ api: fake.api, listenHost: '127.0.0.1', accessToken: await testAccessToken(), requireTokenOnLoopback: false, logger: silentLogger, maxBodyBytes: 1024 });
  let port: number;
  let close: () => Promise<void>;
  let tempDir: string;
  let staticRoot: string;

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'arlo-static-'));
    staticRoot = join(tempDir, 'renderer');
    await mkdir(join(staticRoot, 'assets'), { recursive: true });
    await writeFile(join(staticRoot, 'index.html'), '<!doctype html><title>ui</title>');
    await writeFile(join(staticRoot, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(tempDir, 'secret-outside.txt'), 'nope');
    ({ port, close } = await serveBinding(binding, staticRoot));
  });
  after(async () => {
    await close();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('calls any AppApi method with the JSON array of arguments and answers its JSON result', async () => {
    const reply = await httpRequest(port, '/api/call/enroll', { method: 'POST', headers: json, body: '[["bs1"]]' });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), [{ baseStationId: 'bs1', result: 'enrolled', message: 'ok' }]);
    const started = await httpRequest(port, '/api/call/startCamera', { method: 'POST', headers: json, body: '["cam-7"]' });
    assert.equal(started.status, 200);
    assert.equal(started.body, 'null');
    assert.deepEqual(fake.calls.at(-1), { method: 'startCamera', args: ['cam-7'] });
  });

  it('answers errors as ApiErrorPayload with a fitting status', async () => {
    const cases: [string, { method?: string; headers?: Record<string, string>; body?: string }, number, string][] = [
      ['/api/call/signIn', { method: 'POST', headers: json, body: '["a@b.c","wrong"]' }, 422, 'bad-credentials'],
      ['/api/call/stopAll', { method: 'POST', headers: json, body: '[]' }, 500, 'internal'],
      ['/api/call/nope', { method: 'POST', headers: json, body: '[]' }, 404, 'unknown-method'],
      ['/api/call/subscribe', { method: 'POST', headers: json, body: '[]' }, 404, 'unknown-method'],
      ['/api/call/__proto__', { method: 'POST', headers: json, body: '[]' }, 404, 'unknown-method'],
      ['/api/call/getState', { method: 'GET' }, 405, 'method-not-allowed'],
      ['/api/call/getState', { method: 'POST', headers: json, body: '{"a":1}' }, 400, 'bad-request'],
      ['/api/call/getState', { method: 'POST', headers: json, body: '[oops' }, 400, 'bad-request'],
      ['/api/call/getState', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '[]' }, 415, 'unsupported-media-type'],
      ['/api/call/signIn', { method: 'POST', headers: json, body: JSON.stringify(['x'.repeat(2000)]) }, 413, 'payload-too-large'],
    ];
    for (const [path, init, status, code] of cases) {
      const reply = await httpRequest(port, path, init);
      assert.equal(reply.status, status, `${path} ${init.body ?? ''}`);
      const payload = JSON.parse(reply.body) as { code: string; message: string };
      assert.equal(payload.code, code);
      assert.ok(payload.message.length > 0);
    }
    const calledStopAll = fake.calls.filter((c) => c.method === 'stopAll').length;
    assert.equal(calledStopAll, 1, 'the throwing method was really called once');
  });

  it('refuses other sites (CSRF) and other host names (DNS rebinding), accepts its own origin', async () => {
    const evil = await httpRequest(port, '/api/call/stopAll', { method: 'POST', headers: { ...json, Origin: 'https://evil.example' }, body: '[]' });
    assert.equal(evil.status, 403);
    const rebound = await httpRequest(port, '/api/call/getState', { method: 'POST', headers: { ...json, Host: `evil.example:${port}` }, body: '[]' });
    assert.equal(rebound.status, 403);
    const own = await httpRequest(port, '/api/call/getState', { method: 'POST', headers: { ...json, Origin: `http://127.0.0.1:${port}` }, body: '[]' });
    assert.equal(own.status, 200);
    assert.equal((JSON.parse(own.body) as AppState).shell, 'web');
  });

  it('pushes the current state, then every published state, over /api/events', async () => {
    const events = openEvents(`ws://127.0.0.1:${port}/api/events`, { Origin: `http://127.0.0.1:${port}` });
    await events.opened;
    await events.nextCount(1);
    fake.publish(fakeState(5));
    fake.publish(fakeState(6));
    await events.nextCount(3);
    const lingers = events.messages.map((m) => (m as { state: AppState }).state.settings.lingerSeconds);
    assert.deepEqual(lingers, [0, 5, 6]);
    events.ws.close();
    await events.closed;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fake.listeners.size, 0, 'closing the socket unsubscribes');
  });

  it('refuses an events socket opened by another site', async () => {
    const events = openEvents(`ws://127.0.0.1:${port}/api/events`, { Origin: 'https://evil.example' });
    await assert.rejects(events.opened, /refused 403/);
  });

  it('serves the renderer with a strict CSP and never outside its root', async () => {
    const index = await httpRequest(port, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /<title>ui<\/title>/);
    assert.equal(index.headers['content-security-policy'], RENDERER_CSP);
    assert.match(String(index.headers['content-type']), /text\/html/);
    const asset = await httpRequest(port, '/assets/app.js?v=1');
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    for (const path of ['/../secret-outside.txt', '/%2e%2e/secret-outside.txt', '/assets/..%2f..%2fsecret-outside.txt', '/%00', '/assets']) {
      assert.equal((await httpRequest(port, path)).status, 404, path);
    }
    assert.equal(resolveInside('/srv/ui', '/a/../../etc/passwd'), undefined);
    assert.equal(resolveInside('/srv/ui', '/a/%E0%A4%A'), undefined);
    assert.equal(resolveInside('/srv/ui', '/x/'), '/srv/ui/x/index.html');
  });
});

describe('web binding beyond loopback', async () => {
  const fake = fakeApi();
  const token = 'test-access-token-0123456789';
  const binding = createWebBinding({ api: fake.api, listenHost: '0.0.0.0', accessToken: await testAccessToken(token), requireTokenOnLoopback: false, logger: silentLogger });
  let port: number;
  let close: () => Promise<void>;
  before(async () => ({ port, close } = await serveBinding(binding)));
  after(() => close());

  it('tells loopback addresses from the rest', () => {
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('[::1]'), true);
    assert.equal(isLoopbackAddress('0.0.0.0'), false);
    assert.equal(isLoopbackAddress('127.evil.example'), false);
  });

  it('requires the token on calls, by header', async () => {
    const none = await httpRequest(port, '/api/call/getState', { method: 'POST', headers: json, body: '[]' });
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { code: string }).code, 'unauthorized');
    const wrong = await httpRequest(port, '/api/call/getState', { method: 'POST', headers: { ...json, 'X-Access-Token': 'nope' }, body: '[]' });
    assert.equal(wrong.status, 401);
    const right = await httpRequest(port, '/api/call/getState', { method: 'POST', headers: { ...json, Authorization: `Bearer ${token}` }, body: '[]' });
    assert.equal(right.status, 200);
    assert.equal(fake.calls.length, 1, 'refused calls never reach the service');
  });

  it('requires the token on the events socket, by query or as the first message', async () => {
    const byQuery = openEvents(`ws://127.0.0.1:${port}/api/events?token=${token}`);
    await byQuery.opened;
    await byQuery.nextCount(1);
    byQuery.ws.close();

    const byMessage = openEvents(`ws://127.0.0.1:${port}/api/events`);
    await byMessage.opened;
    byMessage.ws.send(JSON.stringify({ token }));
    await byMessage.nextCount(1);
    byMessage.ws.close();

    const wrong = openEvents(`ws://127.0.0.1:${port}/api/events`);
    await wrong.opened;
    wrong.ws.send(JSON.stringify({ token: 'guess' }));
    assert.equal((await wrong.closed).code, 4401);
    assert.equal(wrong.messages.length, 0, 'no state leaks before the token');
    await Promise.all([byQuery.closed, byMessage.closed]);
  });
});

describe('live view socket beyond loopback', async () => {
  const fake = fakeApi();
  const token = 'test-access-token-0123456789';
  const watched: { deviceId: string; audio: boolean }[] = [];
  let stopped = 0;
  const media: CameraMedia = {
    watchLive: async (deviceId, sink, options) => {
      watched.push({ deviceId, audio: options.audio });
      sink.format({ width: 640, height: 360, codec: 'avc1.64001e', mime: 'video/mp4; codecs="avc1.64001e"', hevc: false, audio: false });
      sink.data(Buffer.from('fMP4 bytes'));
      return () => void stopped++;
    },
    snapshot: () => Promise.reject(new Error('not used')),
  };
  const binding = createWebBinding({ api: fake.api, media, listenHost: '0.0.0.0', accessToken: await testAccessToken(token), requireTokenOnLoopback: false, logger: silentLogger });
  let port: number;
  let close: () => Promise<void>;
  before(async () => ({ port, close } = await serveBinding(binding)));
  after(() => close());

  it('starts a live view only after the token, sends its format then binary fMP4, and stops it when the socket closes', async () => {
    const wrong = new WebSocket(`ws://127.0.0.1:${port}/api/cameras/CAM1/live`);
    await new Promise((resolve) => wrong.once('open', resolve));
    wrong.send(JSON.stringify({ token: 'guess' }));
    assert.equal(await new Promise((resolve) => wrong.once('close', resolve)), 4401);
    assert.equal(watched.length, 0, 'no live view without the token');

    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/cameras/CAM1/live?audio=1`);
    const received: { text?: string; binary?: Buffer }[] = [];
    const two = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        received.push(isBinary ? { binary: data } : { text: data.toString() });
        if (received.length === 2) resolve();
      });
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ token }));
    await two;
    assert.deepEqual(watched, [{ deviceId: 'CAM1', audio: true }]);
    assert.equal((JSON.parse(received[0]!.text!) as { type: string }).type, 'format');
    assert.equal(received[1]!.binary?.toString(), 'fMP4 bytes');
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    await waitUntil(() => stopped === 1);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
