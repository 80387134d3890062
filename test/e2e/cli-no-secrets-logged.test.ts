// No secret is ever logged: the whole sign-in → enroll path at the most verbose log level, with the
// password typed at the prompt, leaves neither the password, the Arlo token, nor any part of the
// private key in anything the commands print. Also pins the logger's redaction of secret fields.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import { createLogger } from '../../src/main/log.js';
import { openDataStore } from '../../src/main/store/data-store.js';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud/index.js';
import { runCli } from '../support/run-cli.js';

let cloud: SimCloud;
let dir: string;

before(async () => {
  cloud = await startSimCloud();
  dir = await mkdtemp(join(tmpdir(), 'arlo-no-secrets-'));
});
after(async () => {
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every 16-character slice of a secret: a leak of any recognisable part of it is caught. */
function fragments(secret: string): string[] {
  const compact = secret.replace(/-----[^-]+-----|\s/g, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= compact.length; i += 16) out.push(compact.slice(i, i + 16));
  return out.length > 0 ? out : [compact];
}

it('login, devices and enroll at trace level print no password, token or private key', async () => {
  const env = { ARLO_API_URL: cloud.apiUrl, ARLO_AUTH_URL: cloud.authUrl, ARLO_RTSP_LOG_LEVEL: 'trace' };
  const owner = cloud.accounts.owner;
  const printed: string[] = [];
  const login = await runCli(['--data-dir', dir, 'login', '--email', owner.email], env, async (stdin) => {
    stdin.write(`${owner.password}\n`);
  });
  assert.equal(login.code, 0, login.stderr);
  printed.push(login.stdout, login.stderr);
  for (const args of [['devices'], ['enroll']]) {
    const result = await runCli(['--data-dir', dir, ...args], env);
    assert.equal(result.code, 0, result.stderr);
    printed.push(result.stdout, result.stderr);
  }

  const store = await openDataStore(dir);
  const token = await store.secrets.get('arloToken');
  const key = await store.secrets.get('clientPrivateKey');
  assert.ok(token && key, 'the path stored a token and a private key');
  const output = printed.join('\n');
  assert.match(output, /enrolled/i, 'the commands did speak');
  for (const [name, secret] of [['password', owner.password], ['token', token], ['private key', key]] as const) {
    for (const piece of fragments(secret)) assert.ok(!output.includes(piece), `the ${name} appears in the output`);
  }
});

it('the logger redacts secret fields at any depth we log', () => {
  let written = '';
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { written += chunk.toString(); done(); } });
  const log = createLogger({ level: 'trace', destination: sink });
  log.info({ token: 'TOKEN-A', request: { authorization: 'TOKEN-B', body: { password: 'PW-C' } } }, 'call');
  assert.match(written, /"call"/);
  for (const secret of ['TOKEN-A', 'TOKEN-B', 'PW-C']) assert.ok(!written.includes(secret), `${secret} was logged`);
});
