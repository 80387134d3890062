import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordSlab } from '../../src/main/stream/record-slab.js';

test('consecutive records are copied side by side, and the copies are independent of the read buffer', () => {
  const slab = new RecordSlab();
  const readBuffer = Buffer.alloc(16 * 1024);
  readBuffer.write('first-record', 'latin1');
  const first = slab.copy(readBuffer, 5);
  readBuffer.write('second', 'latin1');
  const second = slab.copy(readBuffer, 6);
  readBuffer.fill(0);
  assert.equal(first.toString('latin1'), 'first');
  assert.equal(second.toString('latin1'), 'second');
  assert.equal(second.buffer, first.buffer, 'same memory');
  assert.equal(second.byteOffset, first.byteOffset + first.length, 'right after the first');
});

test('a record that does not fit starts a new slab; the old copies keep their bytes', () => {
  const slab = new RecordSlab();
  const record = Buffer.alloc(16 * 1024, 0x61);
  const copies = Array.from({ length: 5 }, (_, i) => {
    record.fill(0x61 + i);
    return slab.copy(record, record.length);
  });
  // 64 KiB holds four 16 KiB records: the fifth begins a new slab at its start.
  assert.equal(copies[3]!.buffer, copies[0]!.buffer);
  assert.notEqual(copies[4]!.buffer, copies[0]!.buffer);
  assert.equal(copies[4]!.byteOffset, 0);
  copies.forEach((copy, i) => assert.ok(copy.every((byte) => byte === 0x61 + i), `record ${i} intact`));
  const large = slab.copy(Buffer.alloc(100 * 1024, 0x7a), 100 * 1024);
  assert.equal(large.length, 100 * 1024, 'larger than a slab: a slab of its own size');
});
