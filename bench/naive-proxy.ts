// The naive Node reference, in a process of its own: what a proof-of-concept relay does. Per viewer
// connection it opens mutual TLS to the base station, passes the viewer's requests up with the Nonce
// header added and the answers back as received, and once the PLAY answer has gone by it stops
// parsing and joins the two sockets with `pipe` (so, like the POC, later keep-alives go up without a
// Nonce and are refused, harmlessly within a bench window). No fan-out: one upstream per viewer.
// Started by bench/run.ts with a `RelayPlan` (bench/relay-process.ts).

import type net from 'node:net';
import type tls from 'node:tls';
import { serializeMessage } from '../src/main/rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../src/main/rtsp/nonce.js';
import { RtspReader } from '../src/main/rtsp/reader.js';
import { serveRelay } from './relay-process.js';

function relay(viewer: net.Socket, upstream: tls.TLSSocket): void {
  const nonces = new NonceSequence();
  const requests = new RtspReader();
  const responses = new RtspReader();
  let playCseq: string | undefined;
  const onRequest = (chunk: Buffer) => {
    requests.push(chunk);
    for (let item = requests.read(); item; item = requests.read()) {
      if (item.kind !== 'request') continue;
      if (item.method === 'PLAY') playCseq = item.headers.get('CSeq');
      item.headers.set(NONCE_HEADER, nonces.next());
      upstream.write(serializeMessage(item));
    }
  };
  const onResponse = (chunk: Buffer) => {
    viewer.write(chunk);
    let played = false;
    responses.push(chunk);
    for (let item = responses.read(); item; item = responses.read()) {
      if (item.kind !== 'response') continue;
      nonces.observe(item);
      played ||= playCseq !== undefined && item.headers.get('CSeq') === playCseq;
    }
    if (!played) return;
    viewer.off('data', onRequest);
    upstream.off('data', onResponse);
    upstream.pipe(viewer);
    viewer.pipe(upstream);
  };
  viewer.on('data', onRequest);
  upstream.on('data', onResponse);
}

serveRelay(relay);
