import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { makeRequest, makeResponse, serializeMessage, type RtspRequest } from '../../src/main/rtsp/message.js';
import { RtspReader } from '../../src/main/rtsp/reader.js';
import { RtspAuthenticator, credentialsInUrl } from '../../src/main/rtsp/auth.js';

// RFC 2617 written out here, apart from the implementation.
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
function digest(p: { user: string; realm: string; pass: string; method: string; uri: string; nonce: string; qop?: { nc: string; cnonce: string } }): string {
  const ha1 = md5(`${p.user}:${p.realm}:${p.pass}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop ? md5(`${ha1}:${p.nonce}:${p.qop.nc}:${p.qop.cnonce}:auth:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
}

test('the test digest reproduces the RFC 2617 §3.5 example', () => {
  assert.equal(digest({
    user: 'Mufasa', realm: 'testrealm@host.com', pass: 'Circle Of Life', method: 'GET', uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: { nc: '00000001', cnonce: '0a4f113b' },
  }), '6629fae49393a05397450978507c4ef1');
});

const USER = 'viewer';
const PASS = 'p@ss:w/rd %é';
const URI = 'rtsp://127.0.0.1:8554/A1B2C3D4E5F6G';

function nonceOf(auth: RtspAuthenticator): string {
  const value = auth.challenge()[0]!;
  assert.match(value, /^Digest realm="[^"]+", nonce="[0-9a-f]+", algorithm=MD5$/);
  return /nonce="([^"]+)"/.exec(value)![1]!;
}

const withAuth = (authorization: string, method = 'DESCRIBE', uri = URI): RtspRequest =>
  makeRequest(method, uri, { CSeq: 2, Authorization: authorization });

test('challenge offers Digest MD5 then Basic in the realm', () => {
  const values = new RtspAuthenticator({ username: USER, password: PASS, realm: 'Cam' }).challenge();
  assert.equal(values.length, 2);
  assert.match(values[0]!, /^Digest realm="Cam", nonce="[0-9a-f]{44}", algorithm=MD5$/);
  assert.equal(values[1], 'Basic realm="Cam"');
});

test('Digest without qop (FFmpeg/VLC style) and with qop=auth', () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const nonce = nonceOf(auth);
  const realm = auth.realm;
  const noQop = digest({ user: USER, realm, pass: PASS, method: 'DESCRIBE', uri: URI, nonce });
  assert.equal(auth.verify(withAuth(`Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${noQop}"`)), true);
  assert.equal(auth.verify(withAuth(`Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${noQop.toUpperCase()}", algorithm="MD5"`)), true);

  const qop = { nc: '00000001', cnonce: 'f00dcafe' };
  const withQop = digest({ user: USER, realm, pass: PASS, method: 'SETUP', uri: `${URI}/trackID=1`, nonce, qop });
  const header = `Digest username="${USER}",realm="${realm}",nonce="${nonce}",uri="${URI}/trackID=1",qop=auth,nc=00000001,cnonce="f00dcafe",response="${withQop}"`;
  assert.equal(auth.verify(withAuth(header, 'SETUP', `${URI}/trackID=1`)), true);

  const base = { user: USER, realm, pass: PASS, method: 'DESCRIBE', uri: URI, nonce };
  const refused: Record<string, string> = {
    'wrong password': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${digest({ ...base, pass: 'guess' })}"`,
    'wrong user': `Digest username="other", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${digest({ ...base, user: 'other' })}"`,
    'wrong realm': `Digest username="${USER}", realm="x", nonce="${nonce}", uri="${URI}", response="${digest({ ...base, realm: 'x' })}"`,
    'forged nonce': `Digest username="${USER}", realm="${realm}", nonce="${'0'.repeat(44)}", uri="${URI}", response="${digest({ ...base, nonce: '0'.repeat(44) })}"`,
    'other uri': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}/x", response="${digest({ ...base, uri: `${URI}/x` })}"`,
    'other method': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", response="${digest({ ...base, method: 'PLAY' })}"`,
    'qop without cnonce': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", qop=auth, nc=00000001, response="${noQop}"`,
    'SHA-256': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}", algorithm=SHA-256, response="${noQop}"`,
    'no response': `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${URI}"`,
    'unknown scheme': `Bearer ${noQop}`,
  };
  for (const [name, value] of Object.entries(refused)) assert.equal(auth.verify(withAuth(value)), false, name);
  assert.equal(auth.verify(makeRequest('DESCRIBE', URI, { CSeq: 1 })), false, 'no Authorization');
});

test('Digest nonces expire and are bound to this process secret and realm', () => {
  let now = 1_700_000_000_000;
  const auth = new RtspAuthenticator({ username: USER, password: PASS, nonceLifetimeMs: 60_000, now: () => now });
  const nonce = nonceOf(auth);
  const header = () => `Digest username="${USER}", realm="${auth.realm}", nonce="${nonce}", uri="${URI}", response="${digest({ user: USER, realm: auth.realm, pass: PASS, method: 'DESCRIBE', uri: URI, nonce })}"`;
  now += 59_000;
  assert.equal(auth.verify(withAuth(header())), true);
  now += 2_000;
  assert.equal(auth.verify(withAuth(header())), false, 'expired');
  const otherRealm = new RtspAuthenticator({ username: USER, password: PASS, realm: 'Other', now: () => now });
  const foreign = nonceOf(otherRealm);
  assert.equal(auth.verify(withAuth(`Digest username="${USER}", realm="${auth.realm}", nonce="${foreign}", uri="${URI}", response="${digest({ user: USER, realm: auth.realm, pass: PASS, method: 'DESCRIBE', uri: URI, nonce: foreign })}"`)), false);
});

test('a failed answer on a current nonce gets the same nonce back; an expired one a fresh nonce marked stale', () => {
  let now = 1_700_000_000_000;
  const auth = new RtspAuthenticator({ username: USER, password: PASS, nonceLifetimeMs: 60_000, now: () => now });
  const nonce = nonceOf(auth);
  const answer = (pass: string) => withAuth(`Digest username="${USER}", realm="${auth.realm}", nonce="${nonce}", uri="${URI}", response="${digest({ user: USER, realm: auth.realm, pass, method: 'DESCRIBE', uri: URI, nonce })}"`);
  const wrong = answer('guess');
  assert.equal(auth.verify(wrong), false);
  const again = auth.challenge(wrong)[0]!;
  assert.equal(/nonce="([^"]+)"/.exec(again)![1], nonce, 'same nonce: the client must not read it as stale and retry');
  assert.doesNotMatch(again, /stale/);
  now += 61_000;
  assert.equal(auth.verify(answer(PASS)), false, 'expired');
  const renewed = auth.challenge(answer(PASS))[0]!;
  assert.notEqual(/nonce="([^"]+)"/.exec(renewed)![1], nonce);
  assert.match(renewed, /, stale=true$/);
  const forged = withAuth(`Digest username="${USER}", realm="${auth.realm}", nonce="${'0'.repeat(44)}", uri="${URI}", response="x"`);
  assert.doesNotMatch(auth.challenge(forged)[0]!, /stale/, 'a nonce that is not ours is never stale');
});

test('Basic', () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  assert.equal(auth.verify(withAuth(`Basic ${b64(`${USER}:${PASS}`)}`)), true);
  assert.equal(auth.verify(withAuth(`basic ${b64(`${USER}:${PASS}`)}`)), true);
  assert.equal(auth.verify(withAuth(`Basic ${b64(`${USER}:wrong`)}`)), false);
  assert.equal(auth.verify(withAuth(`Basic ${b64(`${USER}:${PASS}x`)}`)), false);
  assert.equal(auth.verify(withAuth('Basic')), false);
});

test('credentialsInUrl percent-encodes userinfo and replaces an existing one', () => {
  assert.equal(credentialsInUrl('rtsp://127.0.0.1:8554/cam', 'a b', 'p@ss:w/rd%'), 'rtsp://a%20b:p%40ss%3Aw%2Frd%25@127.0.0.1:8554/cam');
  assert.equal(credentialsInUrl('rtsp://old:x@[::1]:8554/cam', 'u', 'p'), 'rtsp://u:p@[::1]:8554/cam');
  const parsed = new URL(credentialsInUrl('rtsp://127.0.0.1/cam', USER, PASS));
  assert.equal(decodeURIComponent(parsed.password), PASS);
  assert.throws(() => credentialsInUrl('127.0.0.1/cam', 'u', 'p'), TypeError);
});

/** A loopback RTSP endpoint that asks for credentials and records what a real client's retry proved. */
async function challengeServer(auth: RtspAuthenticator): Promise<{ port: number; verdicts: boolean[]; close: () => Promise<void> }> {
  const verdicts: boolean[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const reader = new RtspReader();
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let item = reader.read(); item; item = reader.read()) {
        if (item.kind !== 'request') continue;
        const cseq = item.headers.get('CSeq') ?? '0';
        if (!item.headers.has('Authorization')) {
          const response = makeResponse(401, { CSeq: cseq });
          for (const value of auth.challenge()) response.headers.append('WWW-Authenticate', value);
          socket.write(serializeMessage(response));
        } else {
          verdicts.push(auth.verify(item));
          socket.end(serializeMessage(makeResponse(404, { CSeq: cseq })));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    verdicts,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
}

for (const [client, password] of [['ffprobe', PASS], ['ffprobe', 'wrong']] as const) {
  test(`a real ${client} answering the Digest challenge is ${password === PASS ? 'accepted' : 'refused'}`, async (t) => {
    const auth = new RtspAuthenticator({ username: USER, password: PASS });
    const server = await challengeServer(auth);
    t.after(server.close);
    const url = credentialsInUrl(`rtsp://127.0.0.1:${server.port}/A1B2C3D4E5F6G/tcp/avc`, USER, password);
    await run(client, ['-v', 'quiet', '-rtsp_transport', 'tcp', '-timeout', '5000000', url]);
    assert.deepEqual(server.verdicts, [password === PASS]);
  });
}

test('a real curl answering with Basic is accepted', async (t) => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const server = await challengeServer(auth);
  t.after(server.close);
  await run('curl', ['-s', '--max-time', '5', '--basic', '-u', `${USER}:${PASS}`, `rtsp://127.0.0.1:${server.port}/cam`]);
  assert.deepEqual(server.verdicts, [true]);
});

test('a real curl answering the Digest challenge is accepted', async (t) => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const server = await challengeServer(auth);
  t.after(server.close);
  await run('curl', ['-s', '--max-time', '5', '--digest', '-u', `${USER}:${PASS}`, `rtsp://127.0.0.1:${server.port}/cam`]);
  assert.deepEqual(server.verdicts, [true]);
});
