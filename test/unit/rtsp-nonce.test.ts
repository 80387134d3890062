import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRequest, makeResponse } from '../../src/main/rtsp/message.js';
import { NONCE_HEADER, NonceSequence, parseNonce } from '../../src/main/rtsp/nonce.js';
import { NonceVerifier, type NonceStyle } from '../../src/sim/nonce-verifier.js';

const response = (nonce?: string) => makeResponse(200, nonce === undefined ? { CSeq: 1 } : { CSeq: 1, [NONCE_HEADER]: nonce });

test('parseNonce reads any signed decimal exactly, as Python int() does; rejects everything else', () => {
  assert.equal(parseNonce('0'), 0n);
  assert.equal(parseNonce('9007199254740993'), 9007199254740993n); // 2^53 + 1: a Number would round it
  assert.equal(parseNonce('18446744073709551615'), 18446744073709551615n);
  assert.equal(parseNonce('18446744073709551616'), 18446744073709551616n, 'beyond 64 bits');
  assert.equal(parseNonce('-1'), -1n);
  assert.equal(parseNonce('+17'), 17n);
  assert.equal(parseNonce(' 42 '), 42n, 'surrounding blanks, as int() allows');
  assert.equal(parseNonce('-9223372036854775808'), -9223372036854775808n);
  for (const bad of [undefined, '', '-', '1.0', '1e3', '0x10', '12a', '1 2', '9'.repeat(500)]) {
    assert.equal(parseNonce(bad), undefined, String(bad));
  }
});

test('NonceSequence: 0 first, response nonce + 1, otherwise previous + 1, above 2^53, signed, no wrap', () => {
  const garbage: string[] = [];
  const seq = new NonceSequence((value) => garbage.push(value));
  assert.equal(seq.next(), 0n);
  seq.observe(response('9223372036854775901'));
  assert.equal(seq.next(), 9223372036854775902n);
  assert.equal(seq.next(), 9223372036854775903n); // no new response nonce since the last request
  seq.observe(response()); // a response without Nonce changes nothing
  seq.observe(response('junk')); // nor does garbage: the count goes on
  assert.equal(seq.next(), 9223372036854775904n);
  seq.observe(response('also junk'));
  assert.deepEqual(garbage, ['junk'], 'garbage is reported once per connection');
  seq.observe(response('12000000000000000001'));
  seq.observe(response('12000000000000000007')); // the latest observed wins
  assert.equal(seq.next(), 12000000000000000008n);
  seq.observe(response('18446744073709551615'));
  assert.equal(seq.next(), 18446744073709551616n, 'Python int() + 1: no wrap at 2^64');
  seq.observe(response('-5'));
  assert.equal(seq.next(), -4n);
  seq.observe(response('3'));
  assert.equal(seq.next(), 4n);
});

for (const style of ['large', 'small', 'signed'] satisfies NonceStyle[]) {
  test(`NonceVerifier (${style} nonces) accepts exactly what NonceSequence sends`, () => {
    const server = new NonceVerifier(style);
    const client = new NonceSequence();
    const issued: bigint[] = [];
    for (let i = 0; i < 50; i++) {
      assert.ok(server.check(client.next()), `request ${i}`);
      if (i % 3 !== 2) {
        const value = server.issue();
        issued.push(value);
        client.observe(response(String(value)));
      }
    }
    if (style === 'small') assert.ok(issued.every((v) => v > 0n && v < 2000n), 'small values');
    if (style === 'signed') assert.ok(issued.every((v) => v < 0n), 'negative values');
  });
}

test('NonceVerifier issues large, strictly increasing values with random increments', () => {
  const v = new NonceVerifier();
  let last = -1n;
  const steps = new Set<bigint>();
  for (let i = 0; i < 200; i++) {
    const n = v.issue();
    assert.ok(n > last && n >= 1n << 62n && n < 1n << 64n);
    if (last >= 0n) steps.add(n - last);
    last = n;
  }
  assert.ok(steps.size > 150, 'increments are random');
  const a = new NonceVerifier().issue();
  const b = new NonceVerifier().issue();
  assert.notEqual(a, b, 'each connection starts somewhere else');
});

test('NonceVerifier: first request 0 or absent; then last issued + 1 or previous + 1; nothing else', () => {
  const absent = new NonceVerifier();
  assert.equal(absent.check(undefined), true);
  assert.equal(absent.check(1n), true, 'absent first counts as 0');

  const v = new NonceVerifier();
  assert.equal(v.check(5n), false, 'first must be 0 or absent');
  assert.equal(v.check(0n), true);
  const x = v.issue();
  assert.ok(x > 1n << 53n);
  assert.equal(v.expected(), x + 1n);
  assert.equal(v.check(undefined), false, 'absent after the first');
  assert.equal(v.check(1n), false, 'previous + 1 is wrong once a nonce was issued');
  assert.equal(v.check(x), false, 'reused issued value');
  assert.equal(v.check(x + 2n), false, 'skipped');
  assert.equal(v.check(x + 1n), true);
  assert.equal(v.check(x + 1n), false, 'replay');
  assert.equal(v.check(x + 2n), true, 'no nonce issued since: previous + 1');
  const y = v.issue();
  const z = v.issue();
  assert.equal(v.check(y + 1n), false, 'a stale issued value');
  assert.equal(v.check(z + 1n), true);
});

test('a Nonce on a request from the base station is followed like a response\'s (both working proxies read it on anything incoming)', () => {
  const sequence = new NonceSequence();
  assert.equal(sequence.next(), 0n);
  sequence.observe(makeRequest('OPTIONS', '*', { CSeq: 1, [NONCE_HEADER]: '500' }));
  assert.equal(sequence.next(), 501n);
});
