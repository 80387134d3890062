// Finding VLC per platform, and falling back to the system handler.

import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findVlc, openInPlayer, vlcCandidates } from '../../src/main/electron/vlc.js';

const only = (path: string) => (p: string) => p === path;

describe('finding VLC', () => {
  it('finds VLC in Program Files on Windows, 64- or 32-bit, or on Path', () => {
    const env = { ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)', Path: 'C:\\Windows;D:\\Tools\\VLC' };
    assert.equal(findVlc({ platform: 'win32', env, exists: only('C:\\Program Files\\VideoLAN\\VLC\\vlc.exe') }), 'C:\\Program Files\\VideoLAN\\VLC\\vlc.exe');
    assert.equal(findVlc({ platform: 'win32', env, exists: only('C:\\Program Files (x86)\\VideoLAN\\VLC\\vlc.exe') }), 'C:\\Program Files (x86)\\VideoLAN\\VLC\\vlc.exe');
    assert.equal(findVlc({ platform: 'win32', env, exists: only('D:\\Tools\\VLC\\vlc.exe') }), 'D:\\Tools\\VLC\\vlc.exe');
    assert.equal(findVlc({ platform: 'win32', env, exists: () => false }), undefined);
  });

  it('finds VLC.app on macOS, system-wide first', () => {
    const env = { HOME: '/Users/ann' };
    assert.deepEqual(vlcCandidates({ platform: 'darwin', env }), ['/Applications/VLC.app/Contents/MacOS/VLC', '/Users/ann/Applications/VLC.app/Contents/MacOS/VLC']);
    assert.equal(findVlc({ platform: 'darwin', env, exists: only('/Users/ann/Applications/VLC.app/Contents/MacOS/VLC') }), '/Users/ann/Applications/VLC.app/Contents/MacOS/VLC');
  });

  it('finds vlc on PATH on Linux, then snap and flatpak', () => {
    const env = { PATH: '/usr/local/bin:/usr/bin', HOME: '/home/ann' };
    assert.equal(findVlc({ platform: 'linux', env, exists: only('/usr/bin/vlc') }), '/usr/bin/vlc');
    assert.equal(findVlc({ platform: 'linux', env, exists: only('/snap/bin/vlc') }), '/snap/bin/vlc');
    assert.equal(findVlc({ platform: 'linux', env, exists: only('/var/lib/flatpak/exports/bin/org.videolan.VLC') }), '/var/lib/flatpak/exports/bin/org.videolan.VLC');
    assert.equal(findVlc({ platform: 'linux', env: {}, exists: () => false }), undefined);
  });
});

describe('opening a stream', () => {
  const url = 'rtsp://127.0.0.1:8554/cam';

  it('starts the VLC it found with the URL', async () => {
    const spawned: [string, string[]][] = [];
    const external: string[] = [];
    const how = await openInPlayer(url, {
      platform: 'linux', env: { PATH: '/usr/bin' }, exists: only('/usr/bin/vlc'),
      spawn: async (cmd, args) => void spawned.push([cmd, args]),
      openExternal: async (u) => void external.push(u),
    });
    assert.equal(how, 'vlc');
    assert.deepEqual(spawned, [['/usr/bin/vlc', [url]]]);
    assert.deepEqual(external, []);
  });

  it('falls back to the system handler when VLC is missing or will not start', async () => {
    const external: string[] = [];
    const openExternal = async (u: string) => void external.push(u);
    assert.equal(await openInPlayer(url, { platform: 'linux', env: {}, exists: () => false, openExternal }), 'system');
    assert.equal(await openInPlayer(url, {
      platform: 'linux', env: { PATH: '/usr/bin' }, exists: () => true,
      spawn: () => Promise.reject(new Error('EACCES')), openExternal,
    }), 'system');
    assert.deepEqual(external, [url, url]);
  });

  it('really spawns the program it found (a stand-in script on PATH)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'vlc-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'args.txt');
    await writeFile(join(dir, 'vlc'), `#!/bin/sh\necho "$@" > "${out}"\n`);
    await chmod(join(dir, 'vlc'), 0o755);
    assert.equal(await openInPlayer(url, { platform: 'linux', env: { PATH: dir }, openExternal: () => Promise.reject(new Error('not expected')) }), 'vlc');
    for (let i = 0; i < 50; i += 1) {
      const text = await readFile(out, 'utf8').catch(() => '');
      if (text) return assert.equal(text.trim(), url);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('the stand-in VLC never ran');
  });

  it("starts VLC without the AppImage's own PATH and LD_LIBRARY_PATH entries", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'vlc-appimage-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const appDir = join(dir, 'mount', 'squashfs-root');
    const systemBin = join(dir, 'bin');
    const out = join(dir, 'env.txt');
    for (const bin of [join(appDir, 'usr', 'bin'), systemBin]) {
      await mkdir(bin, { recursive: true });
      await writeFile(join(bin, 'vlc'), `#!/bin/sh\necho "${bin}|$PATH|$LD_LIBRARY_PATH|$APPDIR" > "${out}"\n`);
      await chmod(join(bin, 'vlc'), 0o755);
    }
    const env = {
      APPIMAGE: join(dir, 'Arlo-Local-RTSP.AppImage'),
      APPDIR: appDir,
      PATH: `${join(appDir, 'usr', 'bin')}:${appDir}:${systemBin}`,
      LD_LIBRARY_PATH: `${join(appDir, 'usr', 'lib')}:/opt/vendor/lib`,
    };
    assert.equal(await openInPlayer(url, { platform: 'linux', env, openExternal: () => Promise.reject(new Error('not expected')) }), 'vlc');
    for (let i = 0; i < 100; i += 1) {
      const text = await readFile(out, 'utf8').catch(() => '');
      if (text) return assert.equal(text.trim(), `${systemBin}|${systemBin}|/opt/vendor/lib|`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail('the stand-in VLC never ran');
  });

  it('refuses anything but an RTSP URL', async () => {
    await assert.rejects(openInPlayer('file:///etc/passwd', { openExternal: async () => undefined }), /Not an RTSP URL/);
  });
});
