// Launch at login's pure parts: the XDG autostart entry's place and text (freedesktop.org Desktop
// Entry spec quoting), and the command that starts this app again in each way it may be installed.
// The harness (test/desktop/desktop-shell.test.ts) checks the whole path on each platform.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autostartEntry, autostartEntryPath, launchCommand } from '../../src/main/electron/login-item.js';

describe('launch at login', () => {
  it('puts the entry under $XDG_CONFIG_HOME/autostart, or ~/.config when unset or relative', () => {
    assert.equal(autostartEntryPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/u'), '/cfg/autostart/arlo-local-rtsp.desktop');
    assert.equal(autostartEntryPath({}, '/home/u'), '/home/u/.config/autostart/arlo-local-rtsp.desktop');
    assert.equal(autostartEntryPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), '/home/u/.config/autostart/arlo-local-rtsp.desktop');
  });

  it('quotes what the Exec key reserves, and doubles % and backslashes', () => {
    const entry = autostartEntry('Arlo Local RTSP', ['/opt/Arlo Local RTSP/arlo-local-rtsp', '100%', 'a"b$c\\d', '--hidden']);
    assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=Arlo Local RTSP\n/);
    const exec = /^Exec=(.*)$/m.exec(entry)?.[1];
    assert.equal(exec, String.raw`"/opt/Arlo Local RTSP/arlo-local-rtsp" 100%% "a\\"b\\$c\\\\d" --hidden`);
  });

  it('starts an AppImage by its image, a packaged app by its executable, development with the app path', () => {
    const base = { execPath: '/tmp/.mount_x/arlo-local-rtsp', appPath: '/src/app' };
    assert.deepEqual(launchCommand({ ...base, env: { APPIMAGE: '/home/u/Apps/arlo.AppImage' }, isPackaged: true }), ['/home/u/Apps/arlo.AppImage']);
    assert.deepEqual(launchCommand({ ...base, env: {}, isPackaged: true }), ['/tmp/.mount_x/arlo-local-rtsp']);
    assert.deepEqual(launchCommand({ ...base, env: {}, isPackaged: false }), ['/tmp/.mount_x/arlo-local-rtsp', '/src/app']);
  });
});
