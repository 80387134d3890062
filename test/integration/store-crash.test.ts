import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDataStore } from '../../src/main/store/data-store.js';
import { MARKER_FILE } from '../../src/main/store/private-files.js';

delete process.env.ARLO_RTSP_PASSPHRASE;
const writer = fileURLToPath(new URL('./store-writer.child.ts', import.meta.url));
let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'store-crash-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('settings.json survives failures mid-write', () => {
  it('a writer killed while writing in a loop leaves settings loadable', { timeout: 30_000 }, async (t) => {
    const dir = join(root, 'killed');
    const initial = await (await openDataStore(dir)).read();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, 'loop', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.after(() => child.kill('SIGKILL'));
      await once(child.stdout, 'data');
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 100));
      child.kill('SIGKILL');
      await once(child, 'exit');

      const names = await readdir(dir);
      const data = await (await openDataStore(dir)).read();
      assert.equal(data.settings.installationId, initial.settings.installationId);
      assert.match(data.account.email ?? '', /^user\d+@example\.com$/, 'the loop wrote at least once');
      // Opening drops a leftover temp file of the killed write.
      assert.deepEqual(await readdir(dir), [MARKER_FILE, 'settings.json'], `after open (before: ${names.join(', ')})`);
    }
  });

  it('a write that hits a file size limit throws a clear error and keeps the old file', { timeout: 30_000 }, async () => {
    const dir = join(root, 'full');
    await (await openDataStore(dir)).update((data) => {
      data.account.email = 'kept@example.com';
    });
    const before = await readFile(join(dir, 'settings.json'), 'utf8');
    // RLIMIT_FSIZE makes the kernel refuse writes past 64 KiB with EFBIG: a real failed write, like a full disk.
    const child = spawn('bash', ['-c', 'ulimit -f 64 && exec "$0" --import tsx "$1" big "$2"', process.execPath, writer, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(out, /^StoreWriteError: could not save .*settings\.json \(EFBIG: the disk is full or a size limit was hit\); the previous version is kept/);
    assert.equal(await readFile(join(dir, 'settings.json'), 'utf8'), before);
    assert.deepEqual(await readdir(dir), [MARKER_FILE, 'settings.json']);
  });
});
