// deploy/entrypoint.sh (the Docker image's entrypoint, the systemd unit's ExecStart) run with sh in
// a temp dir, with a stand-in `arlo-rtsp` on PATH that prints what it was started with: where the
// passphrase comes from, and that the arguments pass through untouched.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const ENTRYPOINT = new URL('../../deploy/entrypoint.sh', import.meta.url).pathname;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arlo-entrypoint-'));
  await writeFile(join(dir, 'arlo-rtsp'), [
    '#!/bin/sh',
    'printf "passphrase=%s\\n" "${ARLO_RTSP_PASSPHRASE-<unset>}"',
    'printf "file=%s\\n" "${ARLO_RTSP_PASSPHRASE_FILE-<unset>}"',
    'for arg in "$@"; do printf "arg=%s\\n" "$arg"; done',
  ].join('\n'));
  await chmod(join(dir, 'arlo-rtsp'), 0o755);
  await writeFile(join(dir, 'passphrase'), 'correct horse battery\n\n');
  await writeFile(join(dir, 'empty'), '');
});

after(() => rm(dir, { recursive: true, force: true }));

function entrypoint(env: Record<string, string>, args: string[] = ['serve']): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', [ENTRYPOINT, ...args], { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('deploy/entrypoint.sh', () => {
  it('reads the passphrase from ARLO_RTSP_PASSPHRASE_FILE (trailing newlines dropped) and passes every argument through', () => {
    const run = entrypoint({ ARLO_RTSP_PASSPHRASE_FILE: join(dir, 'passphrase') }, ['--data-dir', '/data with space', 'serve']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'passphrase=correct horse battery\nfile=<unset>\narg=--data-dir\narg=/data with space\narg=serve\n');
  });

  it("reads systemd's credential ($CREDENTIALS_DIRECTORY/passphrase)", () => {
    const run = entrypoint({ CREDENTIALS_DIRECTORY: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^passphrase=correct horse battery$/m);
  });

  it('keeps ARLO_RTSP_PASSPHRASE when set, and leaves it unset when there is none', () => {
    assert.match(entrypoint({ ARLO_RTSP_PASSPHRASE: 'from env', CREDENTIALS_DIRECTORY: dir }).stdout, /^passphrase=from env$/m);
    const none = entrypoint({});
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^passphrase=<unset>$/m, 'arlo-rtsp itself warns that secrets are unencrypted');
  });

  it('refuses, saying why, a missing, unreadable or empty file and a passphrase given twice', () => {
    const missing = entrypoint({ ARLO_RTSP_PASSPHRASE_FILE: join(dir, 'nope') });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /passphrase file .*nope is not a readable file for user/);
    const empty = entrypoint({ ARLO_RTSP_PASSPHRASE_FILE: join(dir, 'empty') });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /passphrase file .*empty is empty/);
    // Found but not readable (a Docker secret owned by another user): an error, not a silent unencrypted start.
    const unreadable = join(dir, 'creds');
    mkdirSync(join(unreadable, 'passphrase'), { recursive: true });
    const blocked = entrypoint({ CREDENTIALS_DIRECTORY: unreadable });
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /creds\/passphrase is not a readable file/);
    const twice = entrypoint({ ARLO_RTSP_PASSPHRASE: 'x', ARLO_RTSP_PASSPHRASE_FILE: join(dir, 'passphrase') });
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /both .* are set/);
    for (const run of [missing, empty, blocked, twice]) assert.equal(run.stdout, '', 'arlo-rtsp is not started');
  });
});
