// The packaged app: electron-builder's own packing (`--linux dir`, with electron-builder.yml as
// shipped) around a stand-in Electron distribution (the real binary cannot be downloaded here), then
// the harness runs main.js from the app.asar it made. Node cannot read an asar, so its files are
// extracted to a directory at the same place (resources/app.asar/); only what electron-builder put
// in the asar is there, and nothing above it has node_modules, so every module, page and icon the
// app loads must have been packed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { extractAll, listPackage } from '@electron/asar';
import type { AppState } from '../../src/shared/api.js';
import { exitsWithin, launchDesktop, until, type DesktopApp } from './harness/driver.js';

const work = await mkdtemp(join(tmpdir(), 'packaged-app-'));
let app: DesktopApp | undefined;
after(async () => {
  app?.kill();
  await rm(work, { recursive: true, force: true });
});

/** The files electron-builder copies from an Electron distribution for Linux, as stand-ins. */
async function standInElectron(dir: string): Promise<void> {
  await mkdir(join(dir, 'resources'), { recursive: true });
  await mkdir(join(dir, 'locales'), { recursive: true });
  await writeFile(join(dir, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary" >&2\nexit 1\n');
  await chmod(join(dir, 'electron'), 0o755);
  for (const file of ['chrome-sandbox', 'LICENSE', 'LICENSES.chromium.html']) await writeFile(join(dir, file), '');
}

function electronBuilder(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [resolve('node_modules/electron-builder/cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolveRun({ code, output }));
  });
}

describe('the app as electron-builder packs it', () => {
  it('runs from its app.asar: tray, window, page, IPC and quit', async () => {
    const electronDist = join(work, 'electron-dist');
    await standInElectron(electronDist);
    const output = join(work, 'out');
    const built = await electronBuilder(['--linux', 'dir', '--config', 'electron-builder.yml', '--publish', 'never', `-c.electronDist=${electronDist}`, '-c.electronVersion=45.4.1', `-c.directories.output=${output}`]);
    assert.equal(built.code, 0, built.output);
    const asar = join(output, 'linux-unpacked', 'resources', 'app.asar');
    const packed = listPackage(asar, { isPack: false });
    assert.ok(!packed.some((f) => f.startsWith('/node_modules/react')), 'react is bundled into the renderer, not shipped as a module');
    assert.ok(!packed.some((f) => f.endsWith('.map')), 'no source maps');

    const resources = join(work, 'installed', 'resources');
    await mkdir(resources, { recursive: true });
    extractAll(asar, join(resources, 'app.asar'));
    const home = join(work, 'home');
    app = launchDesktop({ home, main: join(resources, 'app.asar', 'dist', 'main', 'electron', 'main.js') });
    const ready = await until(app, async () => {
      const s = await app!.snapshot();
      return s.tray?.menu && s.windows[0]?.url ? s : undefined;
    }, 'the tray and the window', 60_000);
    assert.equal(ready.tray?.image.empty, false, 'the tray icon is in the asar');
    assert.match(ready.windows[0]!.url, /\/resources\/app\.asar\/dist\/renderer\/index\.html$/);
    assert.equal(ready.windows[0]!.webPreferences.devTools, false, 'packaged: no DevTools');
    const state = await app.call<AppState>(ready.windows[0]!.id, 'getState');
    assert.equal(state.shell, 'desktop');
    await app.op('clickTray', ['Quit']);
    assert.equal(await exitsWithin(app, 15_000), 0);
  });
});
