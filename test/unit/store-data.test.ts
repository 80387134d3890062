import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultAppData, openDataStore } from '../../src/main/store/data-store.js';
import { CorruptDataError, DataVersionError } from '../../src/main/store/errors.js';
import type { BaseStationRecord } from '../../src/main/store/types.js';
import { MARKER_FILE } from '../../src/main/store/private-files.js';

delete process.env.ARLO_RTSP_PASSPHRASE;
let root: string;
let n = 0;
const freshDir = () => join(root, `d${n++}`);
const mode = async (path: string) => (await stat(path)).mode & 0o777;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'store-data-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function station(deviceId: string): BaseStationRecord {
  return { deviceId, name: '', model: '', uniqueId: `u_${deviceId}` };
}

describe('data store: settings.json', () => {
  it('creates defaults once, with random ids kept across opens, in a 0700 dir of 0600 files', async () => {
    const dir = freshDir();
    const first = await (await openDataStore(dir)).read();
    assert.equal(first.settings.listenAddress, '127.0.0.1');
    assert.equal(first.settings.portBase, 8556);
    assert.equal(first.settings.lingerSeconds, 5);
    assert.equal(first.settings.launchAtLogin, false);
    assert.match(first.settings.installationId, /^[0-9a-f-]{36}$/);
    assert.notEqual(first.settings.installationId, first.settings.clientDeviceId);
    const again = await (await openDataStore(dir)).read();
    assert.deepEqual(again.settings, first.settings);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(join(dir, 'settings.json')), 0o600);
  });

  it('tightens the modes of our existing dir and files, and touches nothing else in it', async () => {
    const dir = freshDir();
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'settings.json'), JSON.stringify(defaultAppData()), { mode: 0o644 });
    await chmod(join(dir, 'settings.json'), 0o644);
    await writeFile(join(dir, 'settings.json.tmp-0a1b2c'), 'half a write');
    await writeFile(join(dir, 'notes.txt'), 'x', { mode: 0o644 });
    await chmod(join(dir, 'notes.txt'), 0o644);
    await writeFile(join(dir, 'backup.tmp-1'), 'not ours');
    await openDataStore(dir);
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(join(dir, 'settings.json')), 0o600);
    assert.equal(await mode(join(dir, 'notes.txt')), 0o644, 'not our file: left as it was');
    assert.deepEqual(await readdir(dir), [MARKER_FILE, 'backup.tmp-1', 'notes.txt', 'settings.json']);
  });

  it('refuses a non-empty folder that is not ours and changes nothing in it; adopts it when shared with the shell', async () => {
    const dir = freshDir();
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'thesis.tmp-draft'), 'years of work', { mode: 0o644 });
    await chmod(join(dir, 'thesis.tmp-draft'), 0o644);
    await assert.rejects(openDataStore(dir), /is not empty and holds no Arlo Local RTSP data: choose an empty or new folder/);
    assert.deepEqual(await readdir(dir), ['thesis.tmp-draft']);
    assert.equal(await mode(dir), 0o755);
    assert.equal(await mode(join(dir, 'thesis.tmp-draft')), 0o644);

    await openDataStore(dir, { sharedDir: true });
    assert.deepEqual(await readdir(dir), [MARKER_FILE, 'thesis.tmp-draft']);
    assert.equal(await mode(join(dir, 'thesis.tmp-draft')), 0o644);
    // Marked now: a later start without `sharedDir` knows the folder.
    await openDataStore(dir);
  });

  it('concurrent updates all land', async () => {
    const store = await openDataStore(freshDir());
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.update((data) => {
          data.baseStations.push(station(`BS${i}`));
        }),
      ),
    );
    const ids = (await store.read()).baseStations.map((b) => b.deviceId).sort();
    assert.equal(ids.length, 40);
    assert.deepEqual(new Set(ids).size, 40);
  });

  it('refuses an update that breaks the schema, leaving the file as it was', async () => {
    const dir = freshDir();
    const store = await openDataStore(dir);
    await store.read();
    const before = await readFile(join(dir, 'settings.json'), 'utf8');
    await assert.rejects(
      store.update((data) => {
        data.settings.portBase = 70000;
      }),
      /refused to save invalid settings.*portBase/s,
    );
    assert.equal(await readFile(join(dir, 'settings.json'), 'utf8'), before);
  });

  for (const [label, content] of [
    ['not JSON', '{"version": 1, "settings": {'],
    ['schema-invalid', JSON.stringify({ version: 1, settings: { portBase: 'x' } })],
  ] as const) {
    it(`a ${label} file is kept aside and reported, never replaced by defaults`, async () => {
      const dir = freshDir();
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'settings.json'), content);
      const store = await openDataStore(dir);
      const error = await store.read().then(
        () => assert.fail('read() should throw'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof CorruptDataError);
      const kept = (await readdir(dir)).filter((f) => f.startsWith('settings.json.corrupt-'));
      assert.equal(kept.length, 1);
      assert.ok(error.message.includes(join(dir, kept[0]!)), error.message);
      assert.equal(await readFile(join(dir, kept[0]!), 'utf8'), content);
      assert.equal(await mode(join(dir, kept[0]!)), 0o600);
    });
  }

  it('a newer format version is a clear error and the file is untouched', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    const content = JSON.stringify({ version: 2, future: true });
    await writeFile(join(dir, 'settings.json'), content);
    const store = await openDataStore(dir);
    await assert.rejects(store.read(), (e: unknown) => e instanceof DataVersionError && /version 2.*Update Arlo Local RTSP/.test(e.message));
    await assert.rejects(store.update(() => undefined), DataVersionError);
    assert.equal(await readFile(join(dir, 'settings.json'), 'utf8'), content);
    assert.deepEqual(await readdir(dir), [MARKER_FILE, 'settings.json']);
  });
});
