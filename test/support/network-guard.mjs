// Loaded into a child process (NODE_OPTIONS=--import=<this file>) that must not reach beyond
// loopback: every TCP/TLS connection to another address and every UDP datagram or multicast
// membership (mDNS) off loopback is refused before it leaves, and written as one line to the file
// named by ARLO_TEST_NETWORK_LOG. A test then reads that file to prove what was attempted.
// Plain JavaScript: it runs before any TypeScript loader.

import { appendFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';

const log = process.env.ARLO_TEST_NETWORK_LOG;
if (!log) throw new Error('network-guard: set ARLO_TEST_NETWORK_LOG to the file that records attempts');

const record = (what) => appendFileSync(log, `${what}\n`);
const isLoopback = (host) => host === 'localhost' || /^127\./.test(host) || host === '::1' || host === '::ffff:127.0.0.1';

/** Where a `socket.connect(...)` call points: a host, or undefined for a local (IPC) path. */
function targetOf(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === 'object') return first.path ? undefined : String(first.host ?? 'localhost');
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const host = targetOf(args);
  if (host !== undefined && !isLoopback(host)) {
    record(`tcp ${host}`);
    process.nextTick(() => this.destroy(new Error(`network-guard: refused a connection to ${host} (not loopback)`)));
    return this;
  }
  return connect.apply(this, args);
};

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const callback = typeof args.at(-1) === 'function' ? args.at(-1) : undefined;
  const address = args.find((arg, index) => index > 0 && typeof arg === 'string');
  if (address === undefined || !isLoopback(address)) {
    record(`udp ${address ?? '(connected socket)'}`);
    if (callback) process.nextTick(callback, new Error('network-guard: refused a datagram off loopback'));
    return;
  }
  return send.apply(this, args);
};

dgram.Socket.prototype.addMembership = function guardedMembership(group) {
  record(`multicast ${group}`);
};
