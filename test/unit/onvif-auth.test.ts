// ONVIF credentials on a fake clock: UsernameToken PasswordDigest (freshness, replays, libonvif's
// repeated nonces) and HTTP Digest (issued nonces, growing nc, expiry).

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CREATED_WINDOW_MS, HTTP_NONCE_LIFETIME_MS, OnvifAuth } from '../../src/main/onvif/auth.js';
import { FailureThrottle } from '../../src/main/rtsp/auth.js';
import { parseSoap } from '../../src/main/onvif/soap.js';

const VIEWER = { username: 'admin', password: 'userpassword' };
const DIGEST_TYPE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

function rig(start = Date.parse('2026-12-07T12:00:00Z')) {
  const clock = { now: start };
  const auth = new OnvifAuth({
    credentials: VIEWER,
    now: () => clock.now,
    // No waiting between wrong attempts: the throttle has tests of its own.
    throttle: new FailureThrottle({ baseDelayMs: 0, maxDelayMs: 0, blockAfter: 1000, now: () => clock.now }),
  });
  return { clock, auth };
}

/** The SOAP header of a request with this token, parsed as the device parses it. */
function header(token: { username?: string; digest: string; nonce: string; created: string; type?: string }) {
  const xml = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>'
    + '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>'
    + `<wsse:Username>${token.username ?? VIEWER.username}</wsse:Username><wsse:Password Type="${token.type ?? DIGEST_TYPE}">${token.digest}</wsse:Password>`
    + `<wsse:Nonce>${token.nonce}</wsse:Nonce><wsu:Created xmlns:wsu="x">${token.created}</wsu:Created>`
    + '</wsse:UsernameToken></wsse:Security></s:Header><s:Body><GetProfiles/></s:Body></s:Envelope>';
  return parseSoap(xml).header;
}

/** Base64(SHA-1(nonce + created + password)), OASIS UsernameToken Profile 1.0 §3.1, written out here. */
function token(created: Date, nonce = randomBytes(16), password = VIEWER.password) {
  const stamp = created.toISOString();
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(stamp), Buffer.from(password)])).digest('base64');
  return { digest, nonce: nonce.toString('base64'), created: stamp };
}

describe('WS-Security UsernameToken', () => {
  it("takes the ONVIF Application Programmer's Guide example on its own clock", async () => {
    const { auth } = rig(Date.parse('2010-09-16T07:50:45Z'));
    const outcome = await auth.checkUsernameToken(header({ digest: 'tuOSpGlFlIXsozq4HFNeeGeFLEI=', nonce: 'LKqI6G/AikKCQrN0zqZFlg==', created: '2010-09-16T07:50:45Z' }), 'a');
    assert.deepEqual(outcome, { result: 'accepted' });
  });

  it('takes a token once: the same token again is a replay, from any address', async () => {
    const { clock, auth } = rig();
    const sent = header(token(new Date(clock.now)));
    assert.deepEqual(await auth.checkUsernameToken(sent, '192.0.2.5'), { result: 'accepted' });
    assert.equal((await auth.checkUsernameToken(sent, '192.0.2.5')).result, 'refused');
    assert.equal((await auth.checkUsernameToken(sent, '192.0.2.99')).result, 'refused');
  });

  it("takes libonvif's same nonce with another Created (its nonce is seeded by the second)", async () => {
    const { clock, auth } = rig();
    const nonce = randomBytes(20);
    assert.equal((await auth.checkUsernameToken(header(token(new Date(clock.now), nonce)), 'a')).result, 'accepted');
    assert.equal((await auth.checkUsernameToken(header(token(new Date(clock.now + 7), nonce)), 'a')).result, 'accepted');
  });

  it('refuses a token created more than the window away from our clock, either way', async () => {
    const { clock, auth } = rig();
    for (const offset of [-CREATED_WINDOW_MS - 1000, CREATED_WINDOW_MS + 1000]) {
      const outcome = await auth.checkUsernameToken(header(token(new Date(clock.now + offset))), 'a');
      assert.equal(outcome.result, 'refused');
      assert.match((outcome as { reason: string }).reason, /clock/);
    }
    assert.equal((await auth.checkUsernameToken(header(token(new Date(clock.now - CREATED_WINDOW_MS + 1000))), 'a')).result, 'accepted');
  });

  it('a token replayed after its nonce is forgotten is still refused: by then it is stale', async () => {
    const { clock, auth } = rig();
    const sent = header(token(new Date(clock.now + CREATED_WINDOW_MS - 1000)));
    assert.equal((await auth.checkUsernameToken(sent, 'a')).result, 'accepted');
    clock.now += 2 * CREATED_WINDOW_MS + 1000;
    // A fresh token makes the cache forget the old ones.
    assert.equal((await auth.checkUsernameToken(header(token(new Date(clock.now))), 'a')).result, 'accepted');
    assert.equal((await auth.checkUsernameToken(sent, 'a')).result, 'refused');
  });

  it('refuses a wrong password, a wrong username, a password sent as text, and a token without nonce', async () => {
    const { clock, auth } = rig();
    const now = new Date(clock.now);
    assert.equal((await auth.checkUsernameToken(header(token(now, randomBytes(16), 'wrong')), 'a')).result, 'refused');
    assert.equal((await auth.checkUsernameToken(header({ ...token(now), username: 'someone' }), 'a')).result, 'refused');
    const text = { ...token(now), digest: VIEWER.password, type: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText' };
    assert.equal((await auth.checkUsernameToken(header(text), 'a')).result, 'refused');
    assert.equal((await auth.checkUsernameToken(header({ ...token(now), nonce: '' }), 'a')).result, 'refused');
    assert.equal((await auth.checkUsernameToken(undefined, 'a')).result, 'absent');
  });
});

describe('HTTP Digest', () => {
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  function answer(challenge: string, nc: number | undefined, password = VIEWER.password): string {
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const ha1 = md5(`${VIEWER.username}:${realm}:${password}`);
    const ha2 = md5('GET:/onvif/snapshot.jpg');
    const base = `Digest username="${VIEWER.username}", realm="${realm}", nonce="${nonce}", uri="/onvif/snapshot.jpg", algorithm=MD5`;
    if (nc === undefined) return `${base}, response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
    const count = nc.toString(16).padStart(8, '0');
    return `${base}, qop=auth, nc=${count}, cnonce="abc", response="${md5(`${ha1}:${nonce}:${count}:abc:auth:${ha2}`)}"`;
  }
  const md5Challenge = (auth: OnvifAuth) => auth.challenge().find((c) => c.endsWith('algorithm=MD5'))!;

  it('takes an answer to a nonce it issued, each nc once and growing', async () => {
    const { auth } = rig();
    const challenge = md5Challenge(auth);
    const check = (header: string) => auth.checkHttpDigest(header, 'GET', '/onvif/snapshot.jpg', 'a');
    assert.equal((await check(answer(challenge, 1))).result, 'accepted');
    assert.equal((await check(answer(challenge, 1))).result, 'refused');
    assert.equal((await check(answer(challenge, 3))).result, 'accepted');
    assert.equal((await check(answer(challenge, 2))).result, 'refused');
  });

  it('without qop, a nonce answers once', async () => {
    const { auth } = rig();
    const challenge = md5Challenge(auth);
    assert.equal((await auth.checkHttpDigest(answer(challenge, undefined), 'GET', '/onvif/snapshot.jpg', 'a')).result, 'accepted');
    assert.equal((await auth.checkHttpDigest(answer(challenge, undefined), 'GET', '/onvif/snapshot.jpg', 'a')).result, 'refused');
  });

  it('refuses a nonce it did not issue and a wrong password; an expired nonce with the right one is stale', async () => {
    const { clock, auth } = rig();
    const foreign = 'Digest realm="Arlo Local RTSP ONVIF", nonce="0123456789abcdef0123456789abcdef", algorithm=MD5';
    assert.equal((await auth.checkHttpDigest(answer(foreign, 1), 'GET', '/onvif/snapshot.jpg', 'a')).result, 'refused');
    const challenge = md5Challenge(auth);
    assert.equal((await auth.checkHttpDigest(answer(challenge, 1, 'wrong'), 'GET', '/onvif/snapshot.jpg', 'a')).result, 'refused');
    clock.now += HTTP_NONCE_LIFETIME_MS + 1000;
    assert.equal((await auth.checkHttpDigest(answer(challenge, 2), 'GET', '/onvif/snapshot.jpg', 'a')).result, 'stale');
  });
});
