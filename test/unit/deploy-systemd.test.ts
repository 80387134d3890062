// deploy/arlo-rtsp.service as systemd reads it: `systemd-analyze verify` finds nothing to say (an
// unknown or misspelt directive is only a warning there, so any output fails), and the unit starts
// the packaged entrypoint with the credential, state directory and restart policy the docs promise.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const UNIT = new URL('../../deploy/arlo-rtsp.service', import.meta.url).pathname;
const PACKAGE = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string };

describe('deploy/arlo-rtsp.service', () => {
  it('passes systemd-analyze verify without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arlo-unit-'));
    try {
      await copyFile(UNIT, join(dir, 'arlo-rtsp.service'));
      const { stdout, stderr } = await promisify(execFile)('systemd-analyze', ['verify', join(dir, 'arlo-rtsp.service')]);
      assert.equal(stdout + stderr, '');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the packaged entrypoint with the passphrase credential, its own state directory and hardening', async () => {
    const unit = await readFile(UNIT, 'utf8');
    const directives = new Map(unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(directives.get('ExecStart'), `/bin/sh /usr/local/lib/node_modules/${PACKAGE.name}/deploy/entrypoint.sh serve`);
    assert.equal(directives.get('LoadCredential'), 'passphrase:/etc/arlo-rtsp/passphrase', 'the entrypoint reads $CREDENTIALS_DIRECTORY/passphrase');
    assert.equal(directives.get('DynamicUser'), 'yes');
    assert.equal(directives.get('StateDirectory'), 'arlo-rtsp');
    assert.match(unit, /^Environment=ARLO_RTSP_DATA_DIR=%S\/arlo-rtsp$/m);
    assert.equal(directives.get('Restart'), 'on-failure');
    assert.equal(directives.get('ProtectSystem'), 'strict');
  });
});
