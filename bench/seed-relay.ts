// The seed-style Node reference, in a process of its own: the simplest relay that keeps working
// past the handshake. Per viewer connection it opens mutual TLS to the base station; every chunk
// either way is pushed through an incremental RTSP/`$` reader and each item is written as soon as
// it is parsed: requests up with the Nonce added, answers down (their Nonce observed), each
// interleaved frame down as a view of the chunk it came in. So keep-alives keep the rule, unlike
// the `pipe` relay (bench/naive-proxy.ts). No fan-out, no cache, no counters: one upstream per viewer.
// Started by bench/run.ts with a `RelayPlan` (bench/relay-process.ts).

import type net from 'node:net';
import type tls from 'node:tls';
import { serializeMessage } from '../src/main/rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../src/main/rtsp/nonce.js';
import { frameBytes, RtspReader } from '../src/main/rtsp/reader.js';
import { serveRelay } from './relay-process.js';

function relay(viewer: net.Socket, upstream: tls.TLSSocket): void {
  const nonces = new NonceSequence();
  const requests = new RtspReader();
  const answers = new RtspReader();
  viewer.on('data', (chunk: Buffer) => {
    requests.push(chunk);
    for (let item = requests.read(); item; item = requests.read()) {
      if (item.kind === 'request') {
        item.headers.set(NONCE_HEADER, nonces.next());
        upstream.write(serializeMessage(item));
      } else if (item.kind === 'frame') {
        upstream.write(frameBytes(item));
      }
    }
  });
  upstream.on('data', (chunk: Buffer) => {
    answers.push(chunk);
    for (let item = answers.read(); item; item = answers.read()) {
      if (item.kind === 'frame') {
        viewer.write(frameBytes(item));
      } else if (item.kind === 'response') {
        nonces.observe(item);
        viewer.write(serializeMessage(item));
      }
    }
  });
}

serveRelay(relay);
