// The generic IPC binding with fakes of ipcMain, invoke events and WebContents.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindIpc, isRendererUrl, pushState, type InvokeEventLike, type IpcMainLike } from '../../src/main/electron/ipc.js';
import { AppError } from '../../src/main/errors.js';
import { silentLogger } from '../../src/main/log.js';
import { APP_API_METHODS, type AppApi, type AppApiClient, type AppApiMethod, type AppState } from '../../src/shared/api.js';
import { IPC_CALL_CHANNEL, IPC_STATE_CHANNEL, type ApiResult } from '../../src/shared/bridge.js';

const INDEX = 'file:///opt/Arlo%20Local%20RTSP/resources/app.asar/dist/renderer/index.html';

function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      assert.ok(!handlers.has(channel), 'one handler per channel');
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = (url: string | null, ...args: unknown[]) => {
    const handler = handlers.get(IPC_CALL_CHANNEL);
    assert.ok(handler, 'call channel bound');
    const event: InvokeEventLike = { senderFrame: url === null ? null : { url, parent: null } };
    return handler(event, ...args) as Promise<ApiResult>;
  };
  return { ipcMain, handlers, invoke };
}

function fakeApi() {
  const calls: [string, unknown[]][] = [];
  const listeners = new Set<(s: AppState) => void>();
  const api = Object.fromEntries(APP_API_METHODS.map((m) => [m, async (...args: unknown[]) => {
    calls.push([m, args]);
    if (m === 'submitMfaCode') throw new AppError('mfa-code-wrong', 'That code is wrong or expired: ask for a new one.');
    if (m === 'refreshDevices') throw new Error('socket hang up at 10.0.0.1 with token abc');
    if (m === 'enroll') return [{ baseStationId: 'bs', result: 'enrolled', message: 'done' }];
    return undefined;
  }])) as unknown as AppApiClient;
  api.subscribe = (l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  return { api, calls, listeners };
}

/** Arguments of the right types for every method. */
const VALID_ARGUMENTS: { [M in AppApiMethod]: Parameters<AppApi[M]> } = {
  getState: [], signIn: ['a@b.c', 'pw'], chooseFactor: ['f1'], submitMfaCode: ['123456'], cancelSignIn: [], useToken: ['tok'],
  signOut: [], refreshDevices: [], enroll: [['bs']], setBaseStationAddress: ['bs', '10.0.0.2', 4000],
  forgetPinnedCertificate: ['bs'], diagnose: [{ baseStationId: 'bs', playSeconds: 5 }], startCamera: ['cam'],
  stopCamera: ['cam'], startAll: [], stopAll: [], setCameraCodec: ['cam', 'hevc'], setCameraBattery: ['cam', true], updateSettings: [{ lanAllowBasic: true }],
  openInPlayer: ['cam'], restartToUpdate: [], viewerUrl: ['cam'], latestPicture: ['cam'],
};

describe('ipc binding', () => {
  it('refuses arguments of the wrong type for every method without calling the service', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { api, calls } = fakeApi();
    bindIpc({ ipcMain, api, isTrustedUrl: (u) => isRendererUrl(u, INDEX), logger: silentLogger });
    for (const method of APP_API_METHODS) {
      // A number in place of every argument (none of them is a number first), or one too many.
      const wrong = VALID_ARGUMENTS[method].length === 0 ? [42] : VALID_ARGUMENTS[method].map(() => 42);
      const result = await invoke(INDEX, method, wrong);
      assert.equal(result.ok, false, method);
      assert.equal(!result.ok && result.error.code, 'bad-request', method);
      assert.match(!result.ok ? result.error.message : '', new RegExp(`^Wrong arguments to ${method}`), method);
    }
    const password = await invoke(INDEX, 'updateSettings', [{ lanPassword: 12345 }]);
    assert.deepEqual(password, { ok: false, error: { code: 'bad-request', message: 'Wrong arguments to updateSettings (argument 1, lanPassword): Invalid input: expected string, received number.' } });
    assert.deepEqual(calls, []);
  });


  it('binds every AppApi method through one channel and returns results in an envelope', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { api, calls } = fakeApi();
    bindIpc({ ipcMain, api, isTrustedUrl: (u) => isRendererUrl(u, INDEX), logger: silentLogger });
    for (const method of APP_API_METHODS) {
      const result = await invoke(INDEX, method, VALID_ARGUMENTS[method]);
      assert.equal(result.ok || result.error.code !== 'unknown-method', true, method);
    }
    assert.deepEqual(calls.map(([m]) => m), [...APP_API_METHODS]);
    assert.deepEqual(calls.find(([m]) => m === 'startCamera'), ['startCamera', ['cam']]);
    assert.deepEqual(await invoke(INDEX, 'enroll', [['bs']]), { ok: true, value: [{ baseStationId: 'bs', result: 'enrolled', message: 'done' }] });
  });

  it('keeps the code and message of user errors, hides internal details', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    bindIpc({ ipcMain, api: fakeApi().api, isTrustedUrl: (u) => isRendererUrl(u, INDEX), logger: silentLogger });
    assert.deepEqual(await invoke(`${INDEX}#x`, 'submitMfaCode', ['123']), {
      ok: false, error: { code: 'mfa-code-wrong', message: 'That code is wrong or expired: ask for a new one.' },
    });
    const internal = await invoke(INDEX, 'refreshDevices', []);
    assert.equal(internal.ok, false);
    assert.equal(!internal.ok && internal.error.code, 'internal');
    assert.doesNotMatch(JSON.stringify(internal), /token abc/);
  });

  it('refuses other pages, subframes, unknown methods and bad arguments without calling the service', async () => {
    const { ipcMain, handlers, invoke } = fakeIpcMain();
    const { api, calls } = fakeApi();
    const unbind = bindIpc({ ipcMain, api, isTrustedUrl: (u) => isRendererUrl(u, INDEX), logger: silentLogger });
    const code = async (p: Promise<ApiResult>) => {
      const r = await p;
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(await code(invoke('https://evil.example/', 'stopAll', [])), 'forbidden');
    assert.equal(await code(invoke('file:///tmp/other.html', 'stopAll', [])), 'forbidden');
    assert.equal(await code(invoke(null, 'stopAll', [])), 'forbidden');
    const handler = handlers.get(IPC_CALL_CHANNEL);
    assert.ok(handler);
    const subframe = await (handler({ senderFrame: { url: INDEX, parent: {} } }, 'stopAll', []) as Promise<ApiResult>);
    assert.equal(subframe.ok, false);
    assert.equal(await code(invoke(INDEX, 'subscribe', [])), 'unknown-method');
    assert.equal(await code(invoke(INDEX, 'constructor', [])), 'unknown-method');
    assert.equal(await code(invoke(INDEX, 'stopAll', 'nope')), 'bad-request');
    assert.deepEqual(calls, []);
    unbind();
    assert.equal(handlers.size, 0);
  });

  it('pushes every published state to live windows only, until unsubscribed', () => {
    const { api, listeners } = fakeApi();
    const sent: [string, unknown][] = [];
    const live = { isDestroyed: () => false, send: (channel: string, state: unknown) => void sent.push([channel, state]) };
    const dead = { isDestroyed: () => true, send: () => assert.fail('sent to a destroyed window') };
    const stop = pushState(api, () => [live, dead]);
    const state = { shell: 'desktop' } as AppState;
    listeners.forEach((l) => l(state));
    assert.deepEqual(sent, [[IPC_STATE_CHANNEL, state]]);
    stop();
    assert.equal(listeners.size, 0);
  });

  it('recognises the renderer page only', () => {
    assert.equal(isRendererUrl(`${INDEX}?a=1#b`, INDEX), true);
    assert.equal(isRendererUrl('file:///opt/Arlo%20Local%20RTSP/resources/app.asar/dist/renderer/other.html', INDEX), false);
    assert.equal(isRendererUrl('http://127.0.0.1/index.html', 'http://127.0.0.1/index.html'), false);
    assert.equal(isRendererUrl('not a url', INDEX), false);
  });
});
