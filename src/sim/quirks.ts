// Ways a base station may differ from our default simulator and still follow RFC 2326 and
// PROTOCOL.md: what another device, firmware or stand-in could do. Tests turn them on to prove the
// engine does not depend on our simulator's habits.
//
//   new SimBaseStation({ ca, cameras, quirks: { lowerCaseHeaders: true, audioFirst: true } });

import { isIP, type Socket } from 'node:net';
import type { RtspResponse } from '../main/rtsp/message.js';
import { RtspHeaders } from '../main/rtsp/message.js';
import type { NonceStyle } from './nonce-verifier.js';

export interface SimQuirks {
  /** Response header names in lower case (`cseq:`, `nonce:`, `session:`, `content-base:`): RFC 2326 §4.2 makes them case-insensitive. */
  lowerCaseHeaders?: boolean;
  /** Every `a=control` an absolute URL under the Content-Base (which ends in `/`) instead of `trackID=N`. */
  absoluteControl?: boolean;
  /** The session-level `a=control`: `*` (the default), the absolute aggregate URL, or none at all. */
  sessionControl?: '*' | 'absolute' | 'none';
  /** No Content-Base on DESCRIBE: controls resolve against the request URL. */
  noContentBase?: boolean;
  /** The audio track described before the video track. */
  audioFirst?: boolean;
  /** Video only, even when the camera's clip has audio. */
  videoOnly?: boolean;
  /** No `sprop-*` parameter sets in the SDP: they come in-band only, before each keyframe (the clips carry them there). */
  inBandParameterSetsOnly?: boolean;
  /** The base station answers SETUP with other interleaved channels than asked, shifted by this (RFC 2326 §12.39 lets it). */
  channelShift?: number;
  /** RTCP sender reports on each track's odd channel, this often (ms). */
  senderReportMs?: number;
  /** Media starts on the connection before the PLAY response is written. */
  framesBeforePlayResponse?: boolean;
  /**
   * Media starts only this long (ms) after the PLAY response: a base station that answers PLAY at
   * once and forwards the camera's stream once the camera has woken. FFmpeg waits for the first
   * packet without a limit.
   */
  mediaDelayMs?: number;
  /**
   * Every write cut at awkward places (inside a `$` header, inside the final CRLF CRLF, mid-payload),
   * each piece its own TLS record, sent a tick apart so the client reads them as separate chunks.
   */
  splitRecords?: boolean;
  /** What the issued Nonce values look like (see NonceVerifier): large (the default), small or signed. */
  nonceStyle?: NonceStyle;
  /**
   * How keep-alives (GET_PARAMETER or OPTIONS once playing) are answered: 200 by default, or this
   * status, or `never` (no answer at all). The request still keeps the session alive, as FFmpeg's
   * ignored keep-alive answers show the real one does. `late`: 200, but written only once the next
   * request has arrived (so after the client gave up on it and sent the next keep-alive), with the
   * Nonce issued then, which the client must follow.
   */
  keepAliveAnswer?: 400 | 501 | 'never' | 'late';
  /** These methods are answered only after `slowMs` (a battery camera waking up). */
  slowMethods?: readonly string[];
  slowMs?: number;
  /**
   * Every interleaved frame (`$` header and one RTP packet) and every RTSP message its own TLS record,
   * as an embedded RTSP server that calls SSL_write once per packet sends them; by default a video
   * frame's packets go out in one write, which TLS packs into records of up to 16 kB.
   */
  recordPerPacket?: boolean;
  /**
   * Responses written as a lax embedded server might, all of which FFmpeg reads: bare LF line ends,
   * runs of blanks in the status line, blanks before `CSeq`'s colon, and a header line with no colon.
   */
  looseSyntax?: boolean;
  /**
   * Content-Length written as a lax server might and FFmpeg's `strtol` still reads: the name in odd
   * case, blanks before the value and a word after it (`content-LENGTH: \t 412 octets`).
   */
  looseContentLength?: boolean;
  /**
   * DESCRIBE answered with this 3xx status and `Location: <to><the request's path>` (`to` is
   * `rtsp://host:port`): a base station that sends its clients elsewhere, as FFmpeg follows.
   */
  redirect?: { status: 301 | 302 | 303 | 305 | 307; to: string };
  /**
   * The session is made at DESCRIBE: its answer names it (`Session: id;timeout=N`), the SETUP and
   * PLAY answers carry no `Session`, and every request after DESCRIBE must name it (454 otherwise).
   * FFmpeg keeps the Session of the first answer that has one and sends it from then on.
   */
  sessionAtDescribe?: boolean;
  /**
   * TLS as an old embedded stack serves it, which every working client accepts (they verify
   * nothing): a self-signed 1024-bit certificate signed with SHA-1 (unless an identity is given),
   * and only RSA key exchange with AES-CBC and SHA-1 MACs (AES128-SHA, AES256-SHA).
   */
  legacyTls?: boolean;
  /** Every answer's CSeq other than its request's (FFmpeg only warns about it). */
  wrongCSeq?: boolean;
  /**
   * While playing, the base station sends its client an OPTIONS request this often (ms), as an RTSP
   * server may (RFC 2326 §10.1), and counts the answers in `stats.clientAnswers`.
   */
  asksClientMs?: number;
  /**
   * How request URLs must name the base station (PROTOCOL.md §7): `name` answers 404 to any request
   * whose URL names another host than `name` (its mDNS host name, say `VMB5000.local`; an IP address
   * above all), `address` answers 404 to a URL naming it by a name instead of an IP address. Answers
   * echo the URL as sent (Content-Base, RTP-Info, controls), as the real one echoes its name.
   */
  urlHost?: { wants: 'name'; name: string } | { wants: 'address' };
}

/** Why a request URL's host is refused under the `urlHost` quirk, or undefined when it is served. */
export function refusedUrlHost(quirk: SimQuirks['urlHost'], uri: string): string | undefined {
  if (!quirk) return undefined;
  let host: string;
  try {
    host = new URL(uri).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
  if (quirk.wants === 'address') return isIP(host) ? undefined : 'Not Found (name this base station by its IP address)';
  return host.toLowerCase() === quirk.name.toLowerCase() ? undefined : `Not Found (name this base station ${quirk.name})`;
}

/** A response's bytes as `looseSyntax` writes them. */
export function looseResponse(response: RtspResponse): Buffer {
  let head = `${response.version}  ${response.status}\t ${response.reason}\n`;
  for (const [name, value] of response.headers) {
    head += name.toLowerCase() === 'cseq' ? `${name} : ${value}\n` : `${name}: ${value}\n`;
    if (name.toLowerCase() === 'cseq') head += 'Arlo embedded RTSP\n';
  }
  return Buffer.concat([Buffer.from(`${head}\n`, 'latin1'), response.body]);
}

/** The response with its Content-Length as `looseContentLength` writes it. */
export function looseContentLength(response: RtspResponse): RtspResponse {
  const headers = new RtspHeaders();
  for (const [name, value] of response.headers) {
    if (name.toLowerCase() === 'content-length') headers.append('content-LENGTH', ` \t ${value} octets`);
    else headers.append(name, value);
  }
  return { ...response, headers };
}

/** The response as a base station with lower-case header names would send it. */
export function lowerCaseHeaders(response: RtspResponse): RtspResponse {
  const headers = new RtspHeaders();
  for (const [name, value] of response.headers) headers.append(name.toLowerCase(), value);
  return { ...response, headers };
}

/** Where `splitRecords` cuts a write of `length` bytes: the first bytes one by one, the middle, the last three. */
export function splitPoints(length: number): number[] {
  const cuts = [1, 2, 5, Math.floor(length / 2), length - 3, length - 1].filter((at) => at > 0 && at < length);
  return [...new Set(cuts)].sort((a, b) => a - b);
}

/**
 * Writes in order, each buffer cut at `splitPoints` and every piece written alone after a timer, so
 * each becomes its own TLS record and, on loopback, its own read at the client.
 */
export class SplitWriter {
  #queue: Buffer[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: Socket) {}

  /** Bytes accepted but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  write(chunk: Buffer): void {
    let from = 0;
    for (const at of [...splitPoints(chunk.length), chunk.length]) {
      this.#queue.push(chunk.subarray(from, at));
      from = at;
    }
    this.#pendingBytes += chunk.length;
    this.#timer ??= setTimeout(this.#drain, 0);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue = [];
    this.#pendingBytes = 0;
  }

  readonly #drain = (): void => {
    this.#timer = undefined;
    const piece = this.#queue.shift();
    if (!piece) return;
    this.#pendingBytes -= piece.length;
    if (this.socket.writable) this.socket.write(piece);
    if (this.#queue.length > 0) this.#timer = setTimeout(this.#drain, 0);
  };
}

/**
 * Writes each record alone (see `recordPerPacket`): the next write starts once the socket has taken
 * the previous one, since writes made while one is in flight are joined into a single TLS record.
 */
export class RecordWriter {
  readonly #queue: Buffer[] = [];
  #pendingBytes = 0;
  #writing = false;

  constructor(private readonly socket: Socket) {}

  /** Bytes accepted but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** `chunks` as the connection writes them: a 4-byte `$` header followed by its packet, or a whole message. */
  write(chunks: Buffer[]): void {
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      const packet = isFrameHeader(chunk) ? chunks[i + 1] : undefined;
      const record = packet ? Buffer.concat([chunk, packet]) : chunk;
      if (packet) i++;
      this.#queue.push(record);
      this.#pendingBytes += record.length;
    }
    if (!this.#writing) this.#next();
  }

  stop(): void {
    this.#queue.length = 0;
    this.#pendingBytes = 0;
  }

  readonly #next = (error?: Error | null): void => {
    const record = error || !this.socket.writable ? undefined : this.#queue.shift();
    this.#writing = record !== undefined;
    if (!record) return;
    this.#pendingBytes -= record.length;
    this.socket.write(record, this.#next);
  };
}

const FRAME_HEADER_BYTES = 4;
const INTERLEAVED_MAGIC = 0x24;

function isFrameHeader(chunk: Buffer): boolean {
  return chunk.length === FRAME_HEADER_BYTES && chunk[0] === INTERLEAVED_MAGIC;
}
