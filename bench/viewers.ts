// The bench's viewers, run in a child process of their own so their CPU is not counted as the
// engine's: light RTSP clients (plain TCP, or mutual TLS with the Nonce rule to read the simulated
// base station directly) that read interleaved frames and take each video packet's latency from the
// simulator's `process.hrtime.bigint()` stamp (CLOCK_MONOTONIC on Linux, so it compares across
// processes of one machine). Started by `fork()` with a `ViewerPlan`; answers with `ViewerReport`s.

import net from 'node:net';
import tls from 'node:tls';
import { isKeyframeStart } from '../src/main/rtsp/keyframe.js';
import { makeRequest, serializeMessage, type RtspResponse } from '../src/main/rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../src/main/rtsp/nonce.js';
import { RtspReader } from '../src/main/rtsp/reader.js';
import { parseRtpHeader } from '../src/main/rtsp/rtp.js';
import { STAMP_OFFSET } from '../src/sim/source.js';

export interface ViewerSpec {
  url: string;
  /** Mutual TLS with the Nonce rule (the base station itself); otherwise plain TCP. */
  tls?: { certPem: string; keyPem: string };
  /** Send the Nonce header (through stunnel the base station still checks it). */
  nonce: boolean;
  /** Start this long after the others (a late joiner). */
  delayMs?: number;
}

export interface ViewerPlan {
  viewers: ViewerSpec[];
  /** Packets before this are not measured (the stream settles). */
  warmupMs: number;
  durationMs: number;
}

export interface ViewerReport {
  url: string;
  packets: number;
  bytes: number;
  /** Video packets missing by RTP sequence number. */
  lost: number;
  /** Per-packet latencies in ms (measured window only), sorted. */
  latencies: number[];
  /** From starting to connect to the first video packet that starts a keyframe. */
  firstKeyframeMs: number | undefined;
  error?: string;
}

const STAMP_AT = 12 + STAMP_OFFSET;

async function runViewer(spec: ViewerSpec, measureFrom: bigint, measureUntil: bigint): Promise<ViewerReport> {
  const report: ViewerReport = { url: spec.url, packets: 0, bytes: 0, lost: 0, latencies: [], firstKeyframeMs: undefined };
  const { hostname, port } = new URL(spec.url);
  const started = process.hrtime.bigint();
  const socket: net.Socket = spec.tls
    ? tls.connect({ host: hostname, port: Number(port), cert: spec.tls.certPem, key: spec.tls.keyPem, rejectUnauthorized: false })
    : net.connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  const reader = new RtspReader();
  const nonces = new NonceSequence();
  const waiting: ((response: RtspResponse) => void)[] = [];
  let lastSequence = -1;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', (error) => (report.error ??= error.message));
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let item = reader.read(); item; item = reader.read()) {
      if (item.kind === 'response') {
        nonces.observe(item);
        waiting.shift()?.(item);
      } else if (item.kind === 'frame' && item.channel === 0) {
        const now = process.hrtime.bigint();
        const packet = item.payload;
        if (report.firstKeyframeMs === undefined) {
          const header = parseRtpHeader(packet);
          if (header && isKeyframeStart('h264', packet.subarray(header.payloadOffset, header.payloadEnd))) {
            report.firstKeyframeMs = Number(now - started) / 1e6;
          }
        }
        if (now < measureFrom || now > measureUntil || packet.length < 12) continue;
        report.packets++;
        report.bytes += packet.length + 4;
        const sequence = packet.readUInt16BE(2);
        if (lastSequence >= 0) report.lost += (sequence - lastSequence - 1) & 0xffff;
        lastSequence = sequence;
        if (packet.length >= STAMP_AT + 8) report.latencies.push(Number(now - packet.readBigUInt64BE(STAMP_AT)) / 1e6);
      }
    }
  });
  let cseq = 0;
  const request = (method: string, uri: string, headers: Record<string, string> = {}): Promise<RtspResponse> => {
    const message = makeRequest(method, uri, { CSeq: ++cseq, 'User-Agent': 'arlo-rtsp-bench', ...headers });
    const nonce = nonces.next();
    if (spec.nonce) message.headers.set(NONCE_HEADER, nonce);
    socket.write(serializeMessage(message));
    return new Promise((resolve, reject) => {
      waiting.push(resolve);
      void closed.then(() => reject(new Error(`closed before the ${method} answer`)));
    });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(spec.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const described = await request('DESCRIBE', spec.url, { Accept: 'application/sdp' });
    if (described.status !== 200) throw new Error(`DESCRIBE ${described.status} ${described.reason}`);
    const base = described.headers.get('Content-Base') ?? `${spec.url}/`;
    const control = /a=control:(\S+)/.exec(described.body.toString().split(/\r?\nm=/)[1] ?? '')?.[1] ?? 'trackID=0';
    const setup = await request('SETUP', new URL(control, base).toString(), { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    if (setup.status !== 200) throw new Error(`SETUP ${setup.status} ${setup.reason}`);
    const session = setup.headers.get('Session')?.split(';')[0] ?? '';
    const play = await request('PLAY', base, { Session: session, Range: 'npt=0.000-' });
    if (play.status !== 200) throw new Error(`PLAY ${play.status} ${play.reason}`);
    // Keep-alives, as every player sends them, so sessions outlive the base station's timeout.
    const keepAlive = setInterval(() => void request('GET_PARAMETER', base, { Session: session }).catch(() => undefined), 5_000);
    const until = Number(measureUntil - process.hrtime.bigint()) / 1e6;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, Math.max(0, until)))]);
    clearInterval(keepAlive);
  } catch (error) {
    report.error ??= error instanceof Error ? error.message : String(error);
  }
  socket.destroy();
  report.latencies.sort((a, b) => a - b);
  return report;
}

process.once('message', (plan: ViewerPlan) => {
  const start = process.hrtime.bigint();
  const from = start + BigInt(plan.warmupMs) * 1_000_000n;
  const until = from + BigInt(plan.durationMs) * 1_000_000n;
  const delayed = (spec: ViewerSpec) =>
    new Promise<ViewerReport>((resolve) => setTimeout(() => resolve(runViewer(spec, from, until)), spec.delayMs ?? 0));
  void Promise.all(plan.viewers.map(delayed)).then((reports) => {
    process.send?.(reports, () => process.exit(0));
  });
});
