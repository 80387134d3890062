// A small strict RTSP client for the simulated base station's tests: mutual TLS with a CA-issued
// certificate, RtspReader for the byte stream and NonceSequence for the Nonce rule, with knobs to
// break the rule on purpose.

import net from 'node:net';
import tls from 'node:tls';
import { makeRequest, serializeMessage, type InterleavedFrame, type RtspResponse } from '../../src/main/rtsp/message.js';
import { NONCE_HEADER, NonceSequence } from '../../src/main/rtsp/nonce.js';
import { RtspReader } from '../../src/main/rtsp/reader.js';

/** `auto` follows the rule; `omit` sends no header; a bigint is sent as is (and the rule's value is skipped). */
export type NonceChoice = 'auto' | 'omit' | bigint;

export class TestRtspClient {
  readonly frames: InterleavedFrame[] = [];
  readonly closed: Promise<void>;
  readonly #reader = new RtspReader();
  readonly #nonces = new NonceSequence();
  readonly #waiting: ((response: RtspResponse) => void)[] = [];
  #cseq = 0;
  #frameWaiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let item = this.#reader.read(); item; item = this.#reader.read()) {
        if (item.kind === 'response') {
          this.#nonces.observe(item);
          this.#waiting.shift()?.(item);
        } else if (item.kind === 'frame') {
          // Keep a copy: the payload is a view into a chunk the socket may reuse.
          this.frames.push({ kind: 'frame', channel: item.channel, payload: Buffer.from(item.payload) });
          for (const wake of this.#frameWaiters.splice(0)) wake();
        }
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static connectTls(port: number, identity: { keyPem: string; certPem: string }): Promise<TestRtspClient> {
    return new Promise((resolve, reject) => {
      // The base station's certificate is self-signed: like every real client we cannot verify it.
      const socket = tls.connect({ host: '127.0.0.1', port, key: identity.keyPem, cert: identity.certPem, rejectUnauthorized: false });
      socket.once('secureConnect', () => resolve(new TestRtspClient(socket)));
      socket.once('error', reject);
    });
  }

  static connectPlain(port: number): Promise<TestRtspClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new TestRtspClient(socket)));
      socket.once('error', reject);
    });
  }

  request(method: string, uri: string, headers: Record<string, string> = {}, nonce: NonceChoice = 'auto'): Promise<RtspResponse> {
    const request = makeRequest(method, uri, { CSeq: ++this.#cseq, 'User-Agent': 'ijkplayer-android-6.2.2', ...headers });
    const ruled = this.#nonces.next();
    if (nonce !== 'omit') request.headers.set(NONCE_HEADER, nonce === 'auto' ? ruled : nonce);
    const answered = new Promise<RtspResponse>((resolve, reject) => {
      this.#waiting.push(resolve);
      this.closed.then(() => reject(new Error(`connection closed before the ${method} response`)), () => {});
    });
    this.socket.write(serializeMessage(request));
    return answered;
  }

  /** OPTIONS, DESCRIBE, SETUP of every track (interleaved 0-1, 2-3), PLAY: what FFmpeg sends. */
  async play(url: string): Promise<{ session: string; responses: RtspResponse[] }> {
    const responses = [await this.request('OPTIONS', url)];
    const describe = await this.request('DESCRIBE', url, { Accept: 'application/sdp' });
    responses.push(describe);
    const tracks = [...describe.body.toString().matchAll(/a=control:(trackID=\d+)/g)].map((m) => m[1]!);
    let session = '';
    for (const [i, track] of tracks.entries()) {
      const setup = await this.request('SETUP', `${url}/${track}`, {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`,
        ...(session ? { Session: session } : {}),
      });
      responses.push(setup);
      session = setup.headers.get('Session')?.split(';')[0] ?? '';
    }
    responses.push(await this.request('PLAY', `${url}/`, { Session: session, Range: 'npt=0.000-' }));
    return { session, responses };
  }

  async waitForFrames(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.frames.length} of ${count} frames within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#frameWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
