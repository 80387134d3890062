// The headless web server as `serve` and `demo` mount it, over real HTTP and WebSocket on 127.0.0.1
// with the real app service behind it: GET /api/state under the binding's authorization, the AppApi
// binding, the renderer (or a clear answer when it is not built), and the access token kept across restarts.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { APP_API_METHODS, type AppApiClient, type AppState, type CameraView } from '../../src/shared/api.js';
import { keptAccessToken } from '../../src/main/headless/access-token.js';
import { startWebServer, type WebServer } from '../../src/main/headless/web.js';
import { testAccessToken } from '../support/access-token.js';
import { silentLogger } from '../../src/main/log.js';
import { createAppService, type AppService } from '../../src/main/service.js';
import { openDataStore } from '../../src/main/store/data-store.js';

let dir: string;
let service: AppService;
let web: WebServer;
let bare: WebServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headless-web-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><div id="root"></div>');
  service = await createAppService({ dataDir: join(dir, 'data'), passphrase: 'web test', logger: silentLogger, shell: 'web', discovery: false });
  web = await startWebServer({ host: '127.0.0.1', port: 0, api: service, accessToken: await testAccessToken(), logger: silentLogger, rendererRoot: join(dir, 'renderer') });
  bare = await startWebServer({ host: '127.0.0.1', port: 0, api: service, accessToken: await testAccessToken(), logger: silentLogger, rendererRoot: join(dir, 'missing') });
});

after(async () => {
  await web?.close();
  await bare?.close();
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the headless web server', () => {
  it('answers GET /api/state with the cameras, base stations and warnings only', async () => {
    const reply = await get(`${web.url}/api/state`);
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['baseStations', 'cameras', 'warnings']);
    assert.deepEqual(body.cameras, []);
  });

  it('applies the binding’s authorization to /api/state: a foreign Host (DNS rebinding) is refused, other methods too', async () => {
    const rebound = await get(`${web.url}/api/state`, { Host: 'evil.example:8555' });
    assert.equal(rebound.status, 403);
    assert.equal((JSON.parse(rebound.body) as { code: string }).code, 'forbidden');
    const posted = await get(`${web.url}/api/state`, {}, 'POST');
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.allow, 'GET, HEAD');
  });

  it('mounts the AppApi binding: POST /api/call/* and the /api/events WebSocket', async () => {
    const response = await fetch(`${web.url}/api/call/getState`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { shell: string }).shell, 'web');

    const ws = new WebSocket(`${web.url.replace('http', 'ws')}/api/events`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.once('error', reject);
    });
    ws.close();
    assert.equal((JSON.parse(first) as { type: string }).type, 'state');
  });

  it('serves the renderer, and says how to build it when it is missing', async () => {
    const page = await get(`${web.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /id="root"/);
    assert.ok(page.headers['content-security-policy']);
    assert.equal(web.uiBuilt, true);

    assert.equal(bare.uiBuilt, false);
    const missing = await get(`${bare.url}/`);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /not built.*npm run build/);
    assert.equal((await get(`${bare.url}/nothing.js`)).status, 404);
  });

  it('makes the access token once and keeps it as a secret across restarts; a new one replaces it for good', async () => {
    const dataDir = join(dir, 'token-data');
    const store = await openDataStore(dataDir, { passphrase: 'web test' });
    assert.equal(await store.secrets.get('webAccessToken'), undefined);
    const token = (await keptAccessToken(store.secrets)).value;
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    const reopened = await keptAccessToken((await openDataStore(dataDir, { passphrase: 'web test' })).secrets);
    assert.equal(reopened.value, token);
    assert.ok(reopened.matches(token));
    assert.ok(!reopened.matches(`${token.slice(0, -1)}x`) && !reopened.matches(token.slice(1)) && !reopened.matches(undefined));
    const replaced = await reopened.rotate();
    assert.notEqual(replaced, token);
    assert.ok(!reopened.matches(token) && reopened.matches(replaced));
    assert.equal((await keptAccessToken((await openDataStore(dataDir, { passphrase: 'web test' })).secrets)).value, replaced);
  });
});

describe('/metrics and /healthz of the headless web server', () => {
  const failing: CameraView = {
    deviceId: 'C1', name: 'Gate "front"', model: 'VMC4041P', baseStationId: 'B1', codecs: ['avc'], codec: 'avc', port: 8556,
    url: 'rtsp://127.0.0.1:8556/C1', running: true, state: 'error', error: 'the base station at 192.0.2.1:554 did not answer',
    viewers: 0, bytesIn: 1000, bytesOut: 2000, bitrate: 0, upstreamSessions: 2, packetsDropped: 5, keepAliveFailures: 3, mediaSilences: 6, streamingToday: 0, streamingWeek: 0, battery: false, batterySource: 'unknown',
    reconnects: 1, authFailures: 4,
    streams: [
      { kind: 'native', url: 'rtsp://127.0.0.1:8556/C1', path: '/C1', codec: 'h264', source: 'camera', viewers: 2 },
      { kind: 'h264', url: 'rtsp://127.0.0.1:8556/C1/h264', path: '/C1/h264', codec: 'h264', source: 'camera', viewers: 0 },
      { kind: 'sub', url: 'rtsp://127.0.0.1:8556/C1/sub', path: '/C1/sub', codec: 'h264', source: 'transcoded', width: 640, height: 360, fps: 5, viewers: 1, transcoder: 'running' },
    ],
  };
  const state = {
    baseStations: [], cameras: [failing], warnings: [], settings: { requireAccessToken: false },
    transcoder: { available: true, encoder: 'h264_vaapi', hardware: true, probing: false },
  } as unknown as AppState;
  const api = {
    ...Object.fromEntries(APP_API_METHODS.map((method) => [method, () => Promise.reject(new Error(`${method} is not used here`))])),
    getState: () => Promise.resolve(state),
    subscribe: () => () => undefined,
  } as unknown as AppApiClient;
  let server: WebServer;
  before(async () => {
    server = await startWebServer({ host: '127.0.0.1', port: 0, api, accessToken: await testAccessToken(), logger: silentLogger, rendererRoot: join(tmpdir(), 'no-renderer') });
  });
  after(() => server?.close());

  it('/healthz: 503 naming the camera in error and why, the reasons only to callers the /api/state rule lets in', async () => {
    const health = await get(`${server.url}/healthz`);
    assert.equal(health.status, 503);
    assert.deepEqual(JSON.parse(health.body), { status: 'error', cameras: [{ deviceId: 'C1', name: 'Gate "front"', error: failing.error }] });
    const stranger = await get(`${server.url}/healthz`, { Host: 'evil.example:8555' });
    assert.equal(stranger.status, 503);
    assert.deepEqual(JSON.parse(stranger.body), { status: 'error' });
  });

  it('/metrics: the /api/state rule, GET only, every figure of the camera, reconnects and auth failures included', async () => {
    assert.equal((await get(`${server.url}/metrics`, { Host: 'evil.example:8555' })).status, 403);
    assert.equal((await get(`${server.url}/metrics`, {}, 'POST')).status, 405);
    const metrics = await get(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    for (const line of [
      'arlo_rtsp_camera_info{camera="C1",name="Gate \\"front\\"",model="VMC4041P",base_station="B1",codec="avc"} 1',
      'arlo_rtsp_camera_state{camera="C1",state="error"} 1',
      'arlo_rtsp_camera_state{camera="C1",state="media"} 0',
      'arlo_rtsp_camera_received_bytes_total{camera="C1"} 1000',
      'arlo_rtsp_camera_sent_bytes_total{camera="C1"} 2000',
      'arlo_rtsp_camera_upstream_sessions_total{camera="C1"} 2',
      'arlo_rtsp_camera_packets_dropped_total{camera="C1"} 5',
      'arlo_rtsp_camera_reconnects_total{camera="C1"} 1',
      'arlo_rtsp_camera_keepalive_failures_total{camera="C1"} 3',
      'arlo_rtsp_camera_media_silences_total{camera="C1"} 6',
      'arlo_rtsp_camera_state{camera="C1",state="waiting"} 0',
      'arlo_rtsp_camera_auth_failures_total{camera="C1"} 4',
      'arlo_rtsp_camera_stream_viewers{camera="C1",stream="native"} 2',
      'arlo_rtsp_camera_stream_viewers{camera="C1",stream="sub"} 1',
      'arlo_rtsp_camera_stream_transcoding{camera="C1",stream="sub"} 1',
      'arlo_rtsp_transcoder_encoder_info{encoder="h264_vaapi",hardware="true"} 1',
    ]) assert.ok(metrics.body.split('\n').includes(line), `${line}\n in\n${metrics.body.slice(0, 3000)}`);
  });
});
