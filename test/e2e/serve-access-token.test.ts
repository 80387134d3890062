// The optional access token on loopback (`requireAccessToken`), through `arlo-rtsp serve` run as a
// child process against a simulated base station, over real HTTP and WebSockets on 127.0.0.1.
// Off (the default), this computer needs no token; turned on the way the web UI does it (a new
// token first, then the setting), every route class — API calls, /api/state, the events socket, the
// live-view socket, snapshot.jpg, /metrics — answers 401 without the token or with a wrong or old
// one and works with the right one, /healthz stays open, sockets admitted without it are closed, the
// token survives a restart (printed at start only now that it is required), and it appears nowhere
// but that printed line: not in /api/state, events or the log (trace level).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { openDataStore } from '../../src/main/store/data-store.js';
import { waitFor } from '../support/wait.js';
import { enrolledStation, ENROLLED_PASSPHRASE, type EnrolledStation } from '../support/enrolled-station.js';
import { runCli, startCli, type RunningCli } from '../support/run-cli.js';

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

interface Serving {
  cli: RunningCli;
  /** The `web UI:` URL as printed. */
  webUi: string;
  base: string;
  stop(): Promise<void>;
}

async function serve(enrolled: EnrolledStation, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Serving> {
  const portBase = 20_000 + Math.floor(Math.random() * 20_000);
  const cli = startCli(
    ['--data-dir', enrolled.dataDir, 'serve', '--basestation', enrolled.address, '--port-base', String(portBase), '--http', '127.0.0.1:0', ...extraArgs],
    { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE, ARLO_RTSP_LOG_LEVEL: 'trace', ...env },
  );
  children.push(cli.child);
  await waitFor(() => /health: http/.test(cli.output()) || cli.child.exitCode !== null, 60_000, `serve to start; output: ${cli.output()}`);
  const webUi = /web UI: (http:\/\/\S+)/.exec(cli.output())?.[1];
  assert.ok(webUi, cli.output());
  return {
    cli,
    webUi,
    base: new URL(webUi).origin,
    async stop() {
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.output());
    },
  };
}

async function keptToken(dataDir: string): Promise<string | undefined> {
  return (await openDataStore(dataDir, { passphrase: ENROLLED_PASSPHRASE })).secrets.get('webAccessToken');
}

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

function call(base: string, method: string, args: unknown[], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/call/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(args) });
}

/** How a WebSocket to `path` ends up: admitted (its first message) or closed (the close code). */
function socketOutcome(base: string, path: string, token?: { as: 'query' | 'message' | 'header'; value: string }): Promise<{ admitted: true; first: string; ws: WebSocket } | { admitted: false; code: number }> {
  const url = new URL(path, base.replace(/^http/, 'ws'));
  if (token?.as === 'query') url.searchParams.set('token', token.value);
  const ws = new WebSocket(url, token?.as === 'header' ? { headers: bearer(token.value) } : {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      if (token?.as === 'message') ws.send(JSON.stringify({ token: token.value }));
    });
    ws.once('message', (data) => resolve({ admitted: true, first: data.toString(), ws }));
    ws.once('close', (code) => resolve({ admitted: false, code }));
    ws.once('error', reject);
  });
}

async function expectAdmitted(base: string, path: string, token: Parameters<typeof socketOutcome>[2], firstType: string): Promise<string> {
  const outcome = await socketOutcome(base, path, token);
  assert.ok(outcome.admitted, `${path} admitted`);
  assert.equal((JSON.parse(outcome.first) as { type: string }).type, firstType, outcome.first);
  outcome.ws.close();
  return outcome.first;
}

async function expectRefused(base: string, path: string, token: Parameters<typeof socketOutcome>[2]): Promise<void> {
  const outcome = await socketOutcome(base, path, token);
  assert.deepEqual(outcome.admitted ? { admitted: true, first: outcome.first.slice(0, 100) } : outcome, { admitted: false, code: 4401 }, `${path} refused`);
}

const LIVE = '/api/cameras/CAM1/live';
const SNAPSHOT = '/api/cameras/CAM1/snapshot.jpg';

describe('the access token on loopback (requireAccessToken)', () => {
  it('off: this computer needs no token and the printed URL carries none', async () => {
    const enrolled = await enrolledStation();
    cleanups.push(enrolled.close);
    const serving = await serve(enrolled);
    assert.equal(serving.webUi, `${serving.base}/`, 'no token printed: none is required');
    assert.equal((await fetch(`${serving.base}/api/state`)).status, 200);
    assert.equal((await call(serving.base, 'getState', [])).status, 200);
    assert.equal((await fetch(`${serving.base}/metrics`)).status, 200);
    await expectAdmitted(serving.base, '/api/events', undefined, 'state');
    await serving.stop();
  });

  it('on: every route class wants the token, /healthz stays open, the token is kept across a restart and never shown', async () => {
    const enrolled = await enrolledStation();
    cleanups.push(enrolled.close);
    let serving = await serve(enrolled);
    const { base } = serving;
    const madeAtStart = await keptToken(enrolled.dataDir);
    assert.ok(madeAtStart, 'a token is kept even while none is required, so the setting can be turned on at any time');

    // Someone else on this computer watches the events while the API is open.
    const bystander = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events`);
    const bystanderClosed = new Promise<number>((resolve) => bystander.once('close', resolve));
    await new Promise((resolve) => bystander.once('message', resolve));

    // As the web UI turns it on: a new token first (the tab keeps it), then the setting, with it.
    const replaced = await fetch(`${base}/api/access-token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(replaced.status, 200);
    const token = ((await replaced.json()) as { token: string }).token;
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(token, madeAtStart);
    const turnedOn = await call(base, 'updateSettings', [{ requireAccessToken: true }], { 'X-Access-Token': token });
    assert.equal(turnedOn.status, 200);
    assert.equal(((await turnedOn.json()) as { requireAccessToken: boolean }).requireAccessToken, true);
    const noClose = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 30 s'), 30_000).unref());
    assert.equal(await Promise.race([bystanderClosed, noClose]), 4401, 'a socket admitted without the token is closed when it becomes required');

    const wrong = `${token.slice(0, -2)}xx`;
    for (const presented of [undefined, wrong, madeAtStart]) {
      const headers = presented ? bearer(presented) : {};
      const query = presented ? `?token=${presented}` : '';
      assert.equal((await call(base, 'getState', [], headers)).status, 401, `API call with ${presented ?? 'no token'}`);
      assert.equal((await call(base, 'updateSettings', [{ requireAccessToken: false }], headers)).status, 401, 'cannot turn it off without the token');
      assert.equal((await fetch(`${base}/api/access-token`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' })).status, 401);
      assert.equal((await fetch(`${base}/api/state${query}`, { headers })).status, 401);
      assert.equal((await fetch(`${base}/metrics${query}`, { headers })).status, 401);
      assert.equal((await fetch(`${base}${SNAPSHOT}?wake=1${presented ? `&token=${presented}` : ''}`)).status, 401);
      const socketToken = presented ? { as: 'message' as const, value: presented } : undefined;
      await expectRefused(base, '/api/events', socketToken);
      await expectRefused(base, LIVE, socketToken);
    }
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, '/healthz answers everyone');
    assert.deepEqual(await health.json(), { status: 'ok' });

    // The right token, each way a client can send it.
    assert.equal((await call(base, 'getState', [], bearer(token))).status, 200);
    assert.equal((await call(base, 'getState', [], { 'X-Access-Token': token })).status, 200);
    const state = await fetch(`${base}/api/state?token=${token}`);
    assert.equal(state.status, 200);
    const stateText = await state.text();
    assert.equal((await fetch(`${base}/metrics`, { headers: bearer(token) })).status, 200);
    const event = await expectAdmitted(base, '/api/events', { as: 'message', value: token }, 'state');
    await expectAdmitted(base, '/api/events', { as: 'query', value: token }, 'state');
    await expectAdmitted(base, '/api/events', { as: 'header', value: token }, 'state');
    await expectAdmitted(base, LIVE, { as: 'message', value: token }, 'format');
    const snapshot = await fetch(`${base}${SNAPSHOT}?wake=1&token=${token}`);
    assert.equal(snapshot.status, 200, await snapshot.clone().text());
    assert.equal(snapshot.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...new Uint8Array(await snapshot.arrayBuffer()).slice(0, 2)], [0xff, 0xd8], 'a JPEG');
    for (const [what, text] of [['/api/state', stateText], ['the events socket', event]] as const) {
      assert.ok(!text.includes(token), `the token is not in ${what}`);
    }

    // A restart keeps the token and the setting, and says so once.
    await serving.stop();
    const firstRun = serving.cli.output();
    assert.equal(await keptToken(enrolled.dataDir), token);
    serving = await serve(enrolled);
    assert.equal(serving.webUi, `${serving.base}/?token=${token}`, 'printed with the token now that it is required');
    assert.equal((await fetch(`${serving.base}/api/state`)).status, 401);
    assert.equal((await fetch(`${serving.base}/api/state`, { headers: bearer(token) })).status, 200);
    // Off again, with the token: open once more, and no token printed at the next start.
    assert.equal((await call(serving.base, 'updateSettings', [{ requireAccessToken: false }], bearer(token))).status, 200);
    assert.equal((await fetch(`${serving.base}/api/state`)).status, 200);
    await serving.stop();

    // Nowhere in the log (trace level, both runs) but the one line printed at the start that needs it.
    assert.match(firstRun, /"msg":"web access token replaced"/, 'the log of the run that replaced it is here');
    assert.ok(!firstRun.includes(token) && !firstRun.includes(madeAtStart), 'the run that turned it on printed and logged no token');
    const lines = serving.cli.output().split('\n').filter((line) => line.includes(token));
    assert.deepEqual(lines, [`web UI: ${serving.base}/?token=${token}`], 'the token only in the printed URL');
  });

  it('--require-token / ARLO_RTSP_REQUIRE_TOKEN turn it on at start with a new token, kept as the setting; a bad value is refused', async () => {
    const enrolled = await enrolledStation();
    cleanups.push(enrolled.close);
    const open = await serve(enrolled);
    await open.stop();
    const before = await keptToken(enrolled.dataDir);
    const serving = await serve(enrolled, [], { ARLO_RTSP_REQUIRE_TOKEN: 'yes' });
    const printed = new URL(serving.webUi).searchParams.get('token');
    assert.ok(printed && printed === (await keptToken(enrolled.dataDir)));
    assert.notEqual(printed, before, 'turned on after running open: a token taken meanwhile stops working');
    assert.equal((await fetch(`${serving.base}/api/state`)).status, 401);
    assert.equal((await fetch(`${serving.base}/api/state`, { headers: bearer(printed) })).status, 200);
    assert.equal((await fetch(`${serving.base}/api/state`, { headers: bearer(before!) })).status, 401);
    await serving.stop();
    const data = await (await openDataStore(enrolled.dataDir, { passphrase: ENROLLED_PASSPHRASE })).read();
    assert.equal(data.settings.requireAccessToken, true, 'kept as the setting');

    const bad = await runCli(['--data-dir', enrolled.dataDir, 'serve', '--require-token', 'maybe'], { ARLO_RTSP_PASSPHRASE: ENROLLED_PASSPHRASE });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--require-token.*use yes or no/);
  });
});
