// The desktop's files through electron-store, as built (dist/main/electron/main.js under the
// Electron stand-in): settings written by the app and read back at the next start, and the
// userData of the build before electron-store (test/desktop/fixtures/userdata-0.1.0, written by
// that build under this harness: signed in, a base station enrolled, viewer credentials, a daily
// cap) read without loss.

import assert from 'node:assert/strict';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AppState } from '../../src/shared/api.js';
import { cleanUpDesktops, quitFromTray, startDesktop, tempHome } from './harness/driver.js';

after(cleanUpDesktops);

const FIXTURE = 'test/desktop/fixtures/userdata-0.1.0';
const userDataOf = (home: string) => join(home, '.config', 'Arlo Local RTSP');
const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

describe('the desktop store (electron-store)', () => {
  it('writes settings.json and secrets.json through electron-store (0600) and reads them back at the next start', async () => {
    const { app, home, first } = await startDesktop();
    const windowId = first.windows[0]!.id;
    // electron-store registered its listener for renderer stores: electron-store made the files.
    assert.ok(first.ipc.listeners.includes('electron-store-get-data'), first.ipc.listeners.join(', '));
    await app.call(windowId, 'updateSettings', { lingerSeconds: 42, lanUsername: 'viewer', lanPassword: 'a long viewer password' });
    const settingsPath = join(userDataOf(home), 'settings.json');
    const secretsPath = join(userDataOf(home), 'secrets.json');
    // conf's serializer indents with tabs, our headless writer with spaces.
    assert.match(await readFile(settingsPath, 'utf8'), /^\{\n\t"version": 1,/);
    assert.equal((await readJson(settingsPath) as { settings: { lingerSeconds: number } }).settings.lingerSeconds, 42);
    for (const file of [settingsPath, secretsPath]) assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    const sealed = (await readJson(secretsPath)) as { secrets: Record<string, string> };
    assert.ok(sealed.secrets.lanPassword && !Buffer.from(sealed.secrets.lanPassword, 'base64').toString('latin1').includes('viewer password'));
    assert.equal(await quitFromTray(app), 0);

    const again = await startDesktop({ home });
    const state = await again.app.call<AppState>(again.first.windows[0]!.id, 'getState');
    assert.equal(state.settings.lingerSeconds, 42);
    assert.equal(state.settings.lanUsername, 'viewer');
    assert.equal(state.settings.lanPasswordSet, true);
    assert.equal(await quitFromTray(again.app), 0);
  });

  it('reads the files of the build before electron-store without loss, and keeps every value when it next writes', async () => {
    const home = (await tempHome()).path;
    await mkdir(userDataOf(home), { recursive: true });
    await cp(FIXTURE, userDataOf(home), { recursive: true });
    const oldSettings = await readJson(join(FIXTURE, 'settings.json'));
    const { app, first } = await startDesktop({ home });
    const windowId = first.windows[0]!.id;
    assert.deepEqual(first.dialogs, [], 'no question and no unreadable keys');
    const state = await app.call<AppState>(windowId, 'getState');
    assert.equal(state.account.signedIn, true);
    assert.equal(state.account.email, 'owner@example.com');
    assert.deepEqual(state.baseStations.map((b) => [b.name, b.enrolled]), [['Home base', true]]);
    assert.ok(state.cameras.length > 0);
    assert.equal(state.settings.lingerSeconds, 7);
    assert.equal(state.settings.batteryCapMinutes, 30);
    assert.equal(state.settings.lanUsername, 'viewer');
    // Signed in and a viewer password set: the keychain-sealed token and password decrypted.
    assert.equal(state.settings.lanPasswordSet, true);

    await app.call(windowId, 'updateSettings', { lingerSeconds: 9 });
    const written = await readJson(join(userDataOf(home), 'settings.json'));
    const expected = structuredClone(oldSettings) as { settings: Record<string, unknown> };
    // Every old value kept; the settings added since come with their defaults.
    // The User-Agent is made once for an installation that had none (one identity from then on).
    const { userAgent } = (written as { settings: { userAgent?: unknown } }).settings;
    assert.match(String(userAgent), /^Mozilla\/5\.0 /);
    Object.assign(expected.settings, { lingerSeconds: 9, notifications: true, updateChecks: true, onvif: false, onvifAddresses: {}, userAgent });
    assert.deepEqual(written, expected);
    assert.equal(await quitFromTray(app), 0);
  });
});
