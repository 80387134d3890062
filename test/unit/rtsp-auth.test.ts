import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { silentLogger } from '../../src/main/log.js';
import { makeRequest, makeResponse, serializeMessage, type RtspRequest } from '../../src/main/rtsp/message.js';
import { RtspReader } from '../../src/main/rtsp/reader.js';
import { FailureThrottle, RtspAuthenticator, credentialsInUrl, type AuthVerdict, type ConnectionAuth } from '../../src/main/rtsp/auth.js';

// RFC 7616 §3.4.1 written out here, apart from the implementation.
const hashOf = (algorithm: 'md5' | 'sha256') => (s: string) => createHash(algorithm).update(s).digest('hex');
interface DigestInput { user: string; realm: string; pass: string; method: string; uri: string; nonce: string; qop?: { nc: string; cnonce: string }; algorithm?: 'md5' | 'sha256' }
function digest(p: DigestInput): string {
  const h = hashOf(p.algorithm ?? 'md5');
  const ha1 = h(`${p.user}:${p.realm}:${p.pass}`);
  const ha2 = h(`${p.method}:${p.uri}`);
  return p.qop ? h(`${ha1}:${p.nonce}:${p.qop.nc}:${p.qop.cnonce}:auth:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
}

test('the test digest reproduces the RFC 2617 §3.5 and RFC 7616 §3.9.1 examples', () => {
  assert.equal(digest({
    user: 'Mufasa', realm: 'testrealm@host.com', pass: 'Circle Of Life', method: 'GET', uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: { nc: '00000001', cnonce: '0a4f113b' },
  }), '6629fae49393a05397450978507c4ef1');
  assert.equal(digest({
    user: 'Mufasa', realm: 'http-auth@example.org', pass: 'Circle of Life', method: 'GET', uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: { nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' },
    algorithm: 'sha256',
  }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

const USER = 'viewer';
const PASS = 'p@ss:w/rd %é';
const URI = 'rtsp://127.0.0.1:8554/A1B2C3D4E5F6G';

const request = (authorization?: string, method = 'DESCRIBE', uri = URI): RtspRequest =>
  makeRequest(method, uri, { CSeq: 2, ...(authorization !== undefined ? { Authorization: authorization } : {}) });

function refused(verdict: AuthVerdict): Extract<AuthVerdict, { accepted: false }> {
  assert.equal(verdict.accepted, false);
  return verdict as Extract<AuthVerdict, { accepted: false }>;
}

/** The nonce of a 401 answer, checked to be the same in every Digest challenge. */
function nonceOf(verdict: AuthVerdict): string {
  const nonces = refused(verdict).challenge.filter((c) => c.startsWith('Digest ')).map((c) => /nonce="([^"]+)"/.exec(c)![1]!);
  assert.equal(new Set(nonces).size, 1);
  return nonces[0]!;
}

function answer(nonce: string, options: { pass?: string; method?: string; uri?: string; qop?: { nc: string; cnonce: string }; algorithm?: 'MD5' | 'SHA-256'; realm?: string } = {}): string {
  const realm = options.realm ?? 'Arlo Local RTSP';
  const method = options.method ?? 'DESCRIBE';
  const uri = options.uri ?? URI;
  const response = digest({
    user: USER, realm, pass: options.pass ?? PASS, method, uri, nonce,
    ...(options.qop ? { qop: options.qop } : {}), algorithm: options.algorithm === 'SHA-256' ? 'sha256' : 'md5',
  });
  const qop = options.qop ? `, qop=auth, nc=${options.qop.nc}, cnonce="${options.qop.cnonce}"` : '';
  const algorithm = options.algorithm ? `, algorithm=${options.algorithm}` : '';
  return `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"${qop}${algorithm}`;
}

/** A connection with its first challenge already received. */
async function opened(auth: RtspAuthenticator, address = '192.0.2.1'): Promise<{ conn: ConnectionAuth; nonce: string }> {
  const conn = auth.connection(address, silentLogger);
  return { conn, nonce: nonceOf(await conn.check(request())) };
}

test('the challenge offers Digest SHA-256 then MD5 with qop=auth and one nonce, and no Basic by default', async () => {
  const { conn } = await opened(new RtspAuthenticator({ username: USER, password: PASS, realm: 'Cam' }));
  const { challenge } = refused(await conn.check(request()));
  assert.equal(challenge.length, 2);
  assert.match(challenge[0]!, /^Digest realm="Cam", qop="auth", nonce="[0-9a-f]{32}", algorithm=SHA-256$/);
  assert.match(challenge[1]!, /^Digest realm="Cam", qop="auth", nonce="[0-9a-f]{32}", algorithm=MD5$/);
});

test('Digest without qop, with qop=auth, and with SHA-256 are accepted on the connection that issued the nonce', async () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const { conn, nonce } = await opened(auth);
  assert.deepEqual(await conn.check(request(answer(nonce))), { accepted: true });
  assert.equal(conn.authenticated, true);
  const setupUri = `${URI}/trackID=1`;
  assert.deepEqual(await conn.check(request(answer(nonce, { method: 'SETUP', uri: setupUri, qop: { nc: '00000001', cnonce: 'f00dcafe' } }), 'SETUP', setupUri)), { accepted: true });
  assert.deepEqual(await conn.check(request(answer(nonce, { qop: { nc: '00000002', cnonce: 'f00dcafe' }, algorithm: 'SHA-256' }))), { accepted: true });
  assert.deepEqual(await conn.check(request(answer(nonce).replace(/response="([^"]+)"/, (_m, r: string) => `response="${r.toUpperCase()}"`))), { accepted: true });
});

test('wrong or malformed answers are refused', async () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const cases: Record<string, (nonce: string) => RtspRequest> = {
    'wrong password': (n) => request(answer(n, { pass: 'guess' })),
    'wrong user': (n) => request(answer(n).replace(`username="${USER}"`, 'username="other"')),
    'wrong realm': (n) => request(answer(n, { realm: 'x' })),
    'other uri': (n) => request(answer(n, { uri: `${URI}/x` })),
    'other method': (n) => request(answer(n, { method: 'PLAY' })),
    'qop without cnonce': (n) => request(answer(n, { qop: { nc: '00000001', cnonce: 'c' } }).replace(/, cnonce="c"/, '')),
    'MD5-sess': (n) => request(answer(n).concat(', algorithm=MD5-sess')),
    'no response': (n) => request(answer(n).replace(/, response="[^"]+"/, '')),
    'unknown scheme': () => request('Bearer abc'),
    'Basic, not opted in': () => request(`Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`),
  };
  for (const [name, make] of Object.entries(cases)) {
    // A fresh address each time, so the throttle does not slow the next case.
    const { conn, nonce } = await opened(auth, `192.0.2.${Object.keys(cases).indexOf(name) + 10}`);
    const verdict = refused(await conn.check(make(nonce)));
    assert.equal(verdict.accepted, false, name);
    assert.equal(conn.authenticated, false, name);
  }
});

test('a recorded answer replayed on another connection is refused: nonces are bound to their connection', async () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const first = await opened(auth);
  const recorded = request(answer(first.nonce));
  assert.equal((await first.conn.check(recorded)).accepted, true);
  const second = auth.connection('192.0.2.1', silentLogger);
  assert.equal((await second.check(recorded)).accepted, false, 'replayed without a challenge of its own');
  await second.check(request());
  assert.equal((await second.check(recorded)).accepted, false, 'replayed after the new connection got its own nonce');
});

test('with qop, nc must grow: the same answer twice is refused', async () => {
  const { conn, nonce } = await opened(new RtspAuthenticator({ username: USER, password: PASS }));
  const once = request(answer(nonce, { qop: { nc: '00000002', cnonce: 'abc' } }));
  assert.equal((await conn.check(once)).accepted, true);
  assert.equal((await conn.check(once)).accepted, false);
  assert.equal((await conn.check(request(answer(nonce, { qop: { nc: '00000001', cnonce: 'abc' } })))).accepted, false);
  assert.equal((await conn.check(request(answer(nonce, { qop: { nc: '00000003', cnonce: 'abc' } })))).accepted, true);
});

test('a wrong password on a current nonce gets the same nonce back; the right one on an expired nonce a fresh nonce marked stale', async () => {
  let now = 1_700_000_000_000;
  const auth = new RtspAuthenticator({ username: USER, password: PASS, nonceLifetimeMs: 60_000, now: () => now });
  const { conn, nonce } = await opened(auth);
  const wrong = refused(await conn.check(request(answer(nonce, { pass: 'guess' }))));
  assert.equal(nonceOf(wrong), nonce, 'same nonce: a client must not read it as stale and retry');
  assert.ok(wrong.challenge.every((c) => !c.includes('stale')));
  now += 61_000;
  const expired = refused(await conn.check(request(answer(nonce))));
  assert.notEqual(nonceOf(expired), nonce);
  assert.ok(expired.challenge.every((c) => c.endsWith(', stale=true')));
  assert.equal((await conn.check(request(answer(nonceOf(expired))))).accepted, true);
});

test('Basic is offered and accepted only when opted in', async () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS, allowBasic: true });
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const { conn } = await opened(auth);
  assert.equal(refused(await conn.check(request())).challenge.at(-1), 'Basic realm="Arlo Local RTSP"');
  assert.equal((await conn.check(request(`Basic ${b64(`${USER}:wrong`)}`))).accepted, false);
  assert.equal((await conn.check(request(`basic ${b64(`${USER}:${PASS}`)}`))).accepted, true);
});

test('an unauthenticated connection is told to close at its third failed attempt; an authenticated one never', async () => {
  const auth = new RtspAuthenticator({ username: USER, password: PASS });
  const conn = auth.connection('192.0.2.1', silentLogger);
  assert.equal(refused(await conn.check(request())).close, false);
  assert.equal(refused(await conn.check(request())).close, false);
  assert.equal(refused(await conn.check(request())).close, true);
  const { conn: viewer, nonce } = await opened(auth, '192.0.2.2');
  assert.equal((await viewer.check(request(answer(nonce)))).accepted, true);
  for (let i = 0; i < 5; i++) assert.equal(refused(await viewer.check(request())).close, false);
});

test('failures from one address slow down, then block it for a while: attempts are refused unevaluated; the block expires', async () => {
  let now = 0;
  const throttle = new FailureThrottle({ baseDelayMs: 1, maxDelayMs: 4, blockAfter: 5, blockMs: 30_000, now: () => now });
  let evaluated = 0;
  const wrong = () => throttle.attempt('192.0.2.9', () => (evaluated++, 'refused' as const));
  const outcomes = await Promise.all(Array.from({ length: 20 }, wrong));
  assert.equal(evaluated, 5);
  assert.deepEqual(outcomes.slice(5), Array(15).fill('blocked'));
  assert.ok(throttle.blockedMs('192.0.2.9') > 0);
  assert.equal(await throttle.attempt('192.0.2.10', () => 'accepted' as const), 'accepted', 'other addresses are not affected');
  now += 30_001;
  assert.equal(throttle.blockedMs('192.0.2.9'), 0);
  assert.equal(await throttle.attempt('192.0.2.9', () => 'accepted' as const), 'accepted', 'the right password works once the block ends');
});

test('credentialsInUrl percent-encodes userinfo and replaces an existing one', () => {
  assert.equal(credentialsInUrl('rtsp://127.0.0.1:8554/cam', 'a b', 'p@ss:w/rd%'), 'rtsp://a%20b:p%40ss%3Aw%2Frd%25@127.0.0.1:8554/cam');
  assert.equal(credentialsInUrl('rtsp://old:x@[::1]:8554/cam', 'u', 'p'), 'rtsp://u:p@[::1]:8554/cam');
  const parsed = new URL(credentialsInUrl('rtsp://127.0.0.1/cam', USER, PASS));
  assert.equal(decodeURIComponent(parsed.password), PASS);
  assert.throws(() => credentialsInUrl('127.0.0.1/cam', 'u', 'p'), TypeError);
});

/** A loopback RTSP endpoint that asks for credentials and records what a real client's answers earned. */
async function challengeServer(auth: RtspAuthenticator): Promise<{ port: number; verdicts: boolean[]; close: () => Promise<void> }> {
  const verdicts: boolean[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const conn = auth.connection(socket.remoteAddress ?? '', silentLogger);
    const reader = new RtspReader();
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let item = reader.read(); item; item = reader.read()) {
        if (item.kind !== 'request') continue;
        const req = item;
        queue = queue.then(async () => {
          const cseq = req.headers.get('CSeq') ?? '0';
          const verdict = await conn.check(req);
          if (req.headers.has('Authorization')) verdicts.push(verdict.accepted);
          if (verdict.accepted) {
            socket.end(serializeMessage(makeResponse(404, { CSeq: cseq })));
            return;
          }
          const response = makeResponse(401, { CSeq: cseq });
          for (const value of verdict.challenge) response.headers.append('WWW-Authenticate', value);
          socket.write(serializeMessage(response));
        });
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

for (const password of [PASS, 'wrong']) {
  test(`a real ffprobe answering the Digest challenge is ${password === PASS ? 'accepted' : 'refused, and asked no further'}`, async (t) => {
    const server = await challengeServer(new RtspAuthenticator({ username: USER, password: PASS }));
    t.after(server.close);
    const url = credentialsInUrl(`rtsp://127.0.0.1:${server.port}/A1B2C3D4E5F6G/tcp/avc`, USER, password);
    await run('ffprobe', ['-v', 'quiet', '-rtsp_transport', 'tcp', '-timeout', '5000000', url]);
    assert.deepEqual(server.verdicts, [password === PASS]);
  });
}

test('a real curl answering with Basic is refused unless Basic is opted in', async (t) => {
  for (const allowBasic of [false, true]) {
    const server = await challengeServer(new RtspAuthenticator({ username: USER, password: PASS, allowBasic }));
    t.after(server.close);
    await run('curl', ['-s', '--max-time', '5', '--basic', '-u', `${USER}:${PASS}`, `rtsp://127.0.0.1:${server.port}/cam`]);
    assert.deepEqual(server.verdicts, [allowBasic], `allowBasic ${allowBasic}`);
  }
});

test('a real curl answering the Digest challenge is accepted', async (t) => {
  const server = await challengeServer(new RtspAuthenticator({ username: USER, password: PASS }));
  t.after(server.close);
  await run('curl', ['-s', '--max-time', '5', '--digest', '-u', `${USER}:${PASS}`, `rtsp://127.0.0.1:${server.port}/cam`]);
  assert.deepEqual(server.verdicts, [true]);
});
