// Incremental reader of an RTSP byte stream: requests, responses (with Content-Length bodies) and
// interleaved `$` frames, from bytes as TCP delivers them (split anywhere, coalesced anyhow).
//
//   const reader = new RtspReader();
//   socket.on('data', (chunk) => {
//     reader.push(chunk);
//     for (let item = reader.read(); item; item = reader.read()) handle(item);
//   });
//
// A frame's payload is a view into the pushed chunk whenever the frame lies inside one chunk, so
// the media path copies nothing; a frame split across chunks costs a copy of that frame alone, and
// the rest of the completing chunk stays a view. A frame's payload is always preceded in memory by
// its own 4-byte header, so `frameBytes()` gives the frame as received. Garbage is skipped up to
// the next plausible message or frame and reported once per run; limits are enforced with a typed
// error item, never by growing a buffer.

import { RtspHeaders, type InterleavedFrame, type RtspMessage } from './message.js';

export interface RtspLimits {
  /** Start line plus header lines, including the blank line that ends them. */
  maxHeaderBytes: number;
  maxHeaderLines: number;
  maxBodyBytes: number;
}

export const DEFAULT_RTSP_LIMITS: Readonly<RtspLimits> = {
  maxHeaderBytes: 16 * 1024,
  maxHeaderLines: 64,
  maxBodyBytes: 256 * 1024,
};

export type RtspParseErrorCode =
  | 'garbage' // bytes that are neither a message nor a frame; skipped
  | 'malformed' // a message whose start line, header or Content-Length cannot be read; skipped
  | 'header-too-large'
  | 'too-many-headers'
  | 'body-too-large';

/** The RTSP status a server should answer a client's parse error with. */
export const PARSE_ERROR_STATUS: Readonly<Record<RtspParseErrorCode, number>> = {
  garbage: 400,
  malformed: 400,
  'header-too-large': 431,
  'too-many-headers': 431,
  'body-too-large': 413,
};

export class RtspParseError extends Error {
  override readonly name = 'RtspParseError';
  constructor(
    readonly code: RtspParseErrorCode,
    message: string,
    /** How many input bytes this error accounts for (skipped or rejected). */
    readonly bytes: number,
  ) {
    super(message);
  }

  get status(): number {
    return PARSE_ERROR_STATUS[this.code];
  }
}

export interface RtspReadError {
  readonly kind: 'error';
  error: RtspParseError;
}

export type RtspItem = RtspMessage | InterleavedFrame | RtspReadError;

/**
 * The whole interleaved frame (`$`, channel, length, payload) of a frame an `RtspReader` returned,
 * as a view of the same memory: a relay forwards it with no new header. Only for this reader's frames.
 */
export function frameBytes(frame: InterleavedFrame): Buffer {
  const { payload } = frame;
  return Buffer.from(payload.buffer, payload.byteOffset - 4, payload.length + 4);
}

const DOLLAR = 0x24;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const EMPTY = Buffer.alloc(0);
const RESPONSE_PREFIX = Buffer.from('RTSP/', 'latin1');
/** How far into a line a method name may run before the space that must follow it. */
const MAX_METHOD_LENGTH = 32;

export class RtspReader {
  readonly limits: RtspLimits;
  #pending: Buffer = EMPTY;
  /** What followed a frame completed by the start of a chunk: read once `#pending` is used up. */
  #rest: Buffer = EMPTY;
  /** After an oversized header the rest of that message is discarded up to the next plausible start. */
  #discarding = false;
  /** Body bytes of a rejected oversized message still to drop: its Content-Length says exactly how many. */
  #skipBody = 0;
  /** Garbage skipped but not yet reported: a run is reported once, when it ends. */
  #garbage = 0;
  /** Whether the last byte consumed was LF, so a message starting a later chunk is recognized. */
  #afterLF = true;

  constructor(limits: Partial<RtspLimits> = {}) {
    this.limits = { ...DEFAULT_RTSP_LIMITS, ...limits };
  }

  /** Bytes received but not yet returned by `read()`. Bounded by the limits plus one frame. */
  get buffered(): number {
    return this.#pending.length + this.#rest.length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#rest.length > 0) {
      this.#rest = Buffer.concat([this.#rest, chunk]);
      return;
    }
    const pending = this.#pending;
    if (pending.length === 0) {
      this.#pending = chunk;
      return;
    }
    // A frame cut by the end of the last chunk (TLS records are 16 kB, frames ~1.4 kB: most chunks
    // end this way): complete it with the bytes it lacks, not a copy of the whole chunk.
    const missing = this.#frameStarted(pending) ? 4 + pending.readUInt16BE(2) - pending.length : 0;
    if (missing > 0 && missing < chunk.length) {
      this.#pending = Buffer.concat([pending, chunk.subarray(0, missing)]);
      this.#rest = chunk.subarray(missing);
      return;
    }
    this.#pending = Buffer.concat([pending, chunk]);
  }

  /** The next complete item, or null when more bytes are needed. Never throws on input. */
  read(): RtspItem | null {
    if (this.#skipBody > 0) {
      const dropped = Math.min(this.#skipBody, this.#pending.length);
      this.#consume(dropped);
      this.#skipBody -= dropped;
    }
    const buf = this.#pending;
    if (buf.length === 0) return null;

    if (this.#discarding || this.#garbage > 0) return this.#skip();
    if (buf[0] === DOLLAR) return this.#readFrame(buf);
    if (startAt(buf, 0) === 'no') return this.#skip();
    return this.#readMessage(buf);
  }

  /** Whether `buf` starts with a frame header read() will take as one (not bytes being skipped). */
  #frameStarted(buf: Buffer): boolean {
    return buf.length >= 4 && buf[0] === DOLLAR && !this.#discarding && this.#garbage === 0 && this.#skipBody === 0;
  }

  #consume(count: number): void {
    if (count === 0) return;
    this.#afterLF = this.#pending[Math.min(count, this.#pending.length) - 1] === LF;
    if (count < this.#pending.length) {
      this.#pending = this.#pending.subarray(count);
    } else {
      this.#pending = this.#rest;
      this.#rest = EMPTY;
    }
  }

  #readFrame(buf: Buffer): InterleavedFrame | null {
    if (buf.length < 4) return null;
    const length = buf.readUInt16BE(2);
    if (buf.length < 4 + length) return null;
    const frame: InterleavedFrame = { kind: 'frame', channel: buf[1]!, payload: buf.subarray(4, 4 + length) };
    this.#consume(4 + length);
    return frame;
  }

  /**
   * Drops bytes up to the next `$` or plausible start line. Garbage is reported once per run, when
   * the run ends (or every maxHeaderBytes of an endless run); the rest of an oversized message was
   * already reported with its rejection and is dropped silently. A `$` does not end a discard: the
   * oversized message's own bytes may hold one.
   */
  #skip(): RtspItem | null {
    const buf = this.#pending;
    let resume = -1;
    let undecided = false;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === DOLLAR && !this.#discarding) { resume = i; break; }
      if (!(i === 0 ? this.#afterLF : buf[i - 1] === LF)) continue;
      const start = startAt(buf, i);
      if (start === 'no') continue;
      // A possible start cut off by the end of the chunk: wait for more before ending the run.
      undecided = start === 'maybe';
      resume = i;
      break;
    }
    const skipped = resume < 0 ? buf.length : resume;
    this.#consume(skipped);
    if (this.#discarding) {
      if (resume < 0 || undecided) return null;
      this.#discarding = false;
      return this.read();
    }
    this.#garbage += skipped;
    if ((resume < 0 || undecided) && this.#garbage < this.limits.maxHeaderBytes) return null;
    const total = this.#garbage;
    this.#garbage = 0;
    return readError('garbage', `skipped ${total} bytes that are not RTSP`, total);
  }

  #readMessage(buf: Buffer): RtspItem | null {
    const limit = Math.min(buf.length, this.limits.maxHeaderBytes);
    const headEnd = findHeadEnd(buf, limit);
    if (headEnd < 0) {
      if (buf.length < this.limits.maxHeaderBytes) return null;
      // No end of header within the limit: reject, drop that much and skip the rest of the message
      // (not what follows it, which may already be in the buffer).
      const dropped = this.limits.maxHeaderBytes;
      this.#consume(dropped);
      this.#discarding = true;
      return readError('header-too-large', `header larger than ${this.limits.maxHeaderBytes} bytes`, dropped);
    }

    const head = buf.toString('latin1', 0, headEnd);
    const lines = head.split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const totalHead = headEnd + headTerminatorLength(buf, headEnd);

    if (lines.length - 1 > this.limits.maxHeaderLines) {
      this.#consume(totalHead);
      return readError('too-many-headers', `more than ${this.limits.maxHeaderLines} header lines`, totalHead);
    }

    const parsed = parseHead(lines);
    if (typeof parsed === 'string') {
      this.#consume(totalHead);
      return readError('malformed', parsed, totalHead);
    }

    const lengthHeader = parsed.headers.get('Content-Length');
    let bodyLength = 0;
    if (lengthHeader !== undefined) {
      const length = parsed.kind === 'request' ? strictLength(lengthHeader) : lenientLength(lengthHeader);
      if (length === undefined) {
        this.#consume(totalHead);
        return readError('malformed', `invalid Content-Length "${lengthHeader.slice(0, 40)}"`, totalHead);
      }
      bodyLength = length;
    }
    if (bodyLength > this.limits.maxBodyBytes) {
      // The body is dropped as it arrives, exactly Content-Length bytes; what follows is read normally.
      this.#consume(totalHead);
      this.#skipBody = bodyLength;
      return readError('body-too-large', `body of ${bodyLength} bytes exceeds ${this.limits.maxBodyBytes}`, totalHead);
    }
    if (buf.length < totalHead + bodyLength) return null;

    const body = bodyLength === 0 ? EMPTY : Buffer.from(buf.subarray(totalHead, totalHead + bodyLength));
    this.#consume(totalHead + bodyLength);
    return parsed.kind === 'request'
      ? { kind: 'request', method: parsed.first, uri: parsed.second, version: parsed.third, headers: parsed.headers, body }
      : {
          kind: 'response',
          version: parsed.first,
          status: Number(parsed.second),
          reason: parsed.third,
          headers: parsed.headers,
          body,
          receivedHead: head,
        };
  }
}

/** A player's Content-Length: digits and nothing else (a server answers anything else 400). */
function strictLength(value: string): number | undefined {
  return /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : undefined;
}

/**
 * A base station's Content-Length read as FFmpeg reads it (`strtol`): blanks, a sign and the digits
 * that lead the value; junk after them ignored, no digits or a negative value mean no body.
 */
function lenientLength(value: string): number {
  const digits = /^\s*([+-]?)(\d+)/.exec(value);
  if (!digits || digits[1] === '-') return 0;
  return Number(digits[2]);
}

function readError(code: RtspParseErrorCode, message: string, bytes: number): RtspReadError {
  return { kind: 'error', error: new RtspParseError(code, message, bytes) };
}

/**
 * Could a message start at `at`? A response starts with `RTSP/`; a request with a method token
 * (letters, digits, `_`, `-`) followed by a space. `maybe` while the bytes run out before that can
 * be decided: the reader then waits for more.
 */
function startAt(buf: Buffer, at: number): 'yes' | 'no' | 'maybe' {
  const available = Math.min(buf.length - at, RESPONSE_PREFIX.length);
  if (buf.compare(RESPONSE_PREFIX, 0, available, at, at + available) === 0) {
    return available === RESPONSE_PREFIX.length ? 'yes' : 'maybe';
  }
  for (let i = at; i < buf.length && i - at <= MAX_METHOD_LENGTH; i++) {
    const c = buf[i]!;
    if (c === SP) return i > at ? 'yes' : 'no';
    const token = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
    if (!token) return 'no';
  }
  return buf.length - at <= MAX_METHOD_LENGTH ? 'maybe' : 'no';
}

/** Index of the blank line ending the head (CRLFCRLF or LFLF), searching below `limit`; -1 if absent. */
function findHeadEnd(buf: Buffer, limit: number): number {
  for (let i = buf.indexOf(LF); i >= 0 && i < limit; i = buf.indexOf(LF, i + 1)) {
    const next = buf[i + 1];
    if (next === LF) return i + 1;
    if (next === CR && buf[i + 2] === LF) return i + 1;
  }
  return -1;
}

function headTerminatorLength(buf: Buffer, headEnd: number): number {
  return buf[headEnd] === CR ? 2 : 1;
}

interface ParsedHead {
  kind: 'request' | 'response';
  first: string;
  second: string;
  third: string;
  headers: RtspHeaders;
}

/**
 * A response's start line as FFmpeg reads it (the client behind every working Arlo client): words
 * separated by any run of spaces or tabs, any `RTSP/` version, a reason of any text or none.
 */
const RESPONSE_LINE = /^(RTSP\/\S*)[ \t]+(\d{3})(?:[ \t]+(.*?))?[ \t]*$/;
const REQUEST_LINE = /^([A-Za-z0-9_-]+) (\S+) (RTSP\/\d\.\d)$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Requests (from players, to our server) are read strictly: a bad line makes the message malformed
 * and the client gets a 400. Responses (from a base station) are read as FFmpeg reads them: a header
 * line that cannot be read is skipped and the rest of the message kept, and a name may have blanks
 * before its colon; refusing the whole answer would leave the request unanswered until it times out.
 */
function parseHead(lines: string[]): ParsedHead | string {
  const startLine = lines[0] ?? '';
  const response = RESPONSE_LINE.exec(startLine);
  const request = response ? null : REQUEST_LINE.exec(startLine);
  if (!response && !request) return `malformed start line "${startLine.slice(0, 80)}"`;
  const lenient = response !== null;

  const headers = new RtspHeaders();
  let lastName: string | undefined;
  for (const line of lines.slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastName !== undefined) {
      // Obsolete line folding (RFC 2326 §4 via RFC 2616 §2.2): joins the previous value.
      headers.set(lastName, `${headers.getAll(lastName).at(-1) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    const name = lenient ? line.slice(0, Math.max(colon, 0)).trim() : line.slice(0, Math.max(colon, 0));
    if (colon <= 0 || !HEADER_NAME.test(name)) {
      if (lenient) {
        lastName = undefined;
        continue;
      }
      return colon <= 0 ? `malformed header line "${line.slice(0, 80)}"` : `malformed header name "${name.slice(0, 80)}"`;
    }
    const rest = line.slice(colon + 1);
    const value = rest.trim();
    const separator = rest.slice(0, rest.length - rest.trimStart().length);
    headers.append(name, value, separator);
    lastName = name;
  }

  if (response) return { kind: 'response', first: response[1]!, second: response[2]!, third: response[3] ?? '', headers };
  return { kind: 'request', first: request![1]!, second: request![2]!, third: request![3]!, headers };
}
