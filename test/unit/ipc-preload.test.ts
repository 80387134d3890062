// The bundled preload, as Electron's sandbox would run it: one CommonJS script whose only
// `require` is 'electron'. Built with the real Vite config into a temp dir and run in a VM
// context with fakes of contextBridge and ipcRenderer.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { build } from 'vite';
import { APP_API_METHODS, type AppState } from '../../src/shared/api.js';
import { BRIDGE_GLOBAL, IPC_CALL_CHANNEL, IPC_LIVE_CHANNEL, IPC_LIVE_PORT_CHANNEL, IPC_STATE_CHANNEL, type DesktopBridge } from '../../src/shared/bridge.js';
import { LIVE_PORT_MESSAGE } from '../../src/shared/live.js';

describe('bundled preload', () => {
  let dir: string;
  let code: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preload-'));
    await build({ configFile: 'vite.preload.config.ts', logLevel: 'silent', build: { outDir: dir } });
    code = await readFile(join(dir, 'preload.cjs'), 'utf8');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function load() {
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const required: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, value: unknown) => exposed.set(name, value) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, value: 'answer' };
        },
        on: (channel: string, handler: (event: unknown, ...args: unknown[]) => void) => handlers.set(channel, handler),
        removeListener: (channel: string) => handlers.delete(channel),
      },
    };
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (name === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    const posted: unknown[][] = [];
    const window = { postMessage: (...args: unknown[]) => posted.push(args) };
    runInNewContext(code, { require: sandboxRequire, module: { exports: {} }, exports: {}, window });
    const bridge = exposed.get(BRIDGE_GLOBAL) as DesktopBridge;
    return { exposed, invoked, handlers, required, bridge, posted };
  }

  it('requires only electron and exposes one bridge', () => {
    const { exposed, required } = load();
    assert.deepEqual(required, ['electron']);
    assert.deepEqual([...exposed.keys()], [BRIDGE_GLOBAL]);
  });

  it('forwards every AppApi method over the call channel and refuses others', async () => {
    const { bridge, invoked } = load();
    for (const method of APP_API_METHODS) assert.deepEqual(await bridge.call(method, [1]), { ok: true, value: 'answer' });
    assert.deepEqual(invoked.map((args) => args[1]), [...APP_API_METHODS]);
    assert.ok(invoked.every((args) => args[0] === IPC_CALL_CHANNEL));
    const refused = await bridge.call('__proto__' as never, []);
    assert.equal(refused.ok, false);
    assert.equal(invoked.length, APP_API_METHODS.length);
  });

  it('hands the page the state only, and unsubscribes', () => {
    const { bridge, handlers } = load();
    const seen: unknown[][] = [];
    const stop = bridge.subscribe((...args: unknown[]) => seen.push(args));
    const state = { shell: 'desktop' } as AppState;
    handlers.get(IPC_STATE_CHANNEL)?.({ sender: 'secret ipc event' }, state);
    assert.deepEqual(seen, [[state]]);
    stop();
    assert.deepEqual([...handlers.keys()], [IPC_LIVE_PORT_CHANNEL], 'only the live port channel stays');
  });

  it("asks for a live view over IPC and hands the page its port with the request's id only", async () => {
    const { bridge, handlers, invoked, posted } = load();
    const request = { id: 'v1', deviceId: 'cam', audio: false };
    assert.deepEqual(await bridge.openLive(request), { ok: true, value: 'answer' });
    assert.deepEqual(invoked, [[IPC_LIVE_CHANNEL, request]]);
    const port = { a: 'MessagePort' };
    const forward = handlers.get(IPC_LIVE_PORT_CHANNEL)!;
    forward({ sender: 'secret ipc event', ports: [port] }, { [LIVE_PORT_MESSAGE]: 'v1', extra: 'dropped' });
    forward({ sender: 'secret ipc event', ports: [port] }, { [LIVE_PORT_MESSAGE]: 7 });
    assert.equal(posted.length, 1);
    const [message, origin, ports] = posted[0]!;
    // Made in the preload's context: compared as data, the port by identity.
    assert.equal(JSON.stringify(message), JSON.stringify({ [LIVE_PORT_MESSAGE]: 'v1' }));
    assert.equal(origin, '*');
    assert.equal((ports as unknown[])[0], port);
  });
});
