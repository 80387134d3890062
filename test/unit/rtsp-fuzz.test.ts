// Fuzzes the RTSP reader with fixed seeds (reproducible): random bytes and mutated recorded
// sessions, fed in random chunks. Invariants: read() never throws, every read loop ends, and
// `buffered` stays within the limits plus one frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtspReader, type RtspLimits } from '../../src/main/rtsp/reader.js';
import { clientStream, prng, serverResponses } from '../fixtures/rtsp/session.js';

const LIMITS: RtspLimits = { maxHeaderBytes: 1024, maxHeaderLines: 16, maxBodyBytes: 2048 };
const BOUND = LIMITS.maxHeaderBytes + LIMITS.maxBodyBytes + 65539;

const frames = [Buffer.from([0x24, 0, 0, 4, 0x80, 0x60, 0, 1]), Buffer.from([0x24, 3, 0, 0]), Buffer.from([0x24, 1, 0xff, 0xff])];
const corpus = [...clientStream, ...serverResponses, ...frames];

function fuzzOne(input: Buffer, random: () => number): number {
  const reader = new RtspReader(LIMITS);
  let items = 0;
  for (let at = 0; at < input.length;) {
    const size = 1 + Math.floor(random() * random() * 600);
    reader.push(input.subarray(at, at + size));
    at += size;
    // Every item consumes at least one byte, so a loop longer than that cannot be progress.
    const maxItems = reader.buffered + 1;
    let n = 0;
    for (let item = reader.read(); item; item = reader.read()) {
      if (++n > maxItems) assert.fail(`read loop does not end (input ${input.toString('base64')})`);
      items++;
    }
    if (reader.buffered > BOUND) assert.fail(`buffered ${reader.buffered} > ${BOUND} (input ${input.toString('base64')})`);
  }
  return items;
}

function mutate(random: () => number): Buffer {
  const pick = () => corpus[Math.floor(random() * corpus.length)]!;
  const parts: Buffer[] = [];
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) parts.push(pick());
  let input = Buffer.from(Buffer.concat(parts));
  const mutations = Math.floor(random() * 6);
  for (let m = 0; m < mutations && input.length > 0; m++) {
    const at = Math.floor(random() * input.length);
    switch (Math.floor(random() * 5)) {
      case 0: input[at] = input[at]! ^ (1 << Math.floor(random() * 8)); break; // bit flip
      case 1: input = input.subarray(0, at); break; // truncation
      case 2: input = Buffer.concat([input.subarray(0, at), pick().subarray(Math.floor(random() * 40)), input.subarray(at)]); break; // splice
      case 3: input[at] = [0x24, 0x0d, 0x0a, 0x20, 0x3a, 0x30][Math.floor(random() * 6)]!; break; // a delimiter
      default: input = Buffer.concat([input.subarray(0, at), Buffer.from(`Content-Length: ${Math.floor(random() * 5000)}\r\n`), input.subarray(at)]);
    }
  }
  return input;
}

function randomBytes(random: () => number): Buffer {
  const out = Buffer.alloc(Math.floor(random() * 300));
  const alphabet = random() < 0.5;
  for (let i = 0; i < out.length; i++) {
    // Half the inputs draw from RTSP's own characters so they reach deeper than the first byte.
    out[i] = alphabet ? 'RTSP/1.0 $\r\n:CSeq0123456789OPTIONS'.charCodeAt(Math.floor(random() * 35)) : Math.floor(random() * 256);
  }
  return out;
}

/** Inputs far longer than the bound: endless header lines, long garbage, big frames and bodies among sessions. */
function longStream(random: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let total = 0; total < 150_000;) {
    const kind = Math.floor(random() * 5);
    const part = kind === 0 ? Buffer.from(`X-Long: ${'h'.repeat(Math.floor(random() * 8000))}`, 'latin1')
      : kind === 1 ? Buffer.alloc(Math.floor(random() * 8000), Math.floor(random() * 256))
      : kind === 2 ? Buffer.concat([Buffer.from([0x24, 0, 0xff, 0xff]), Buffer.alloc(Math.floor(random() * 70_000), 0x0a)])
      : kind === 3 ? Buffer.from(`OPTIONS * RTSP/1.0\r\nContent-Length: ${Math.floor(random() * 4000)}\r\n\r\n${'b'.repeat(Math.floor(random() * 4000))}`, 'latin1')
      : mutate(random);
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts);
}

const TIME_BUDGET_MS = 8_000;

for (const [name, seed, make, count] of [
  ['random bytes', 0x5eed1, randomBytes, 300_000],
  ['mutated recorded sessions', 0x5eed2, mutate, 300_000],
  ['long streams', 0x5eed3, longStream, 300],
] as const) {
  test(`fuzz: ${name} (seed ${seed.toString(16)})`, (t) => {
    const random = prng(seed);
    const deadline = Date.now() + TIME_BUDGET_MS;
    let inputs = 0;
    let items = 0;
    while (inputs < count && (inputs % 100 !== 0 || Date.now() < deadline)) {
      items += fuzzOne(make(random), random);
      inputs++;
    }
    t.diagnostic(`${inputs} inputs, ${items} items`);
    assert.ok(inputs >= count / 10, `only ${inputs} inputs within the time budget`);
  });
}
