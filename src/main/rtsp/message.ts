// RTSP message model (RFC 2326 §6, §7): requests and responses whose headers keep their order
// and original casing, are looked up case-insensitively, and serialize back byte-exact.
// Interleaved `$` frames (RFC 2326 §10.12) are a separate, much lighter type: they carry media.

export const RTSP_VERSION = 'RTSP/1.0';

interface HeaderField {
  name: string;
  value: string;
  /** What stood between the colon and the value on the wire (usually one space). */
  separator: string;
}

export class RtspHeaders implements Iterable<[string, string]> {
  readonly #fields: HeaderField[] = [];

  constructor(init?: Iterable<readonly [string, string]> | Record<string, string | number>) {
    if (!init) return;
    const pairs = Symbol.iterator in init
      ? (init as Iterable<readonly [string, string]>)
      : Object.entries(init as Record<string, string | number>);
    for (const [name, value] of pairs) this.append(name, String(value));
  }

  /** First value of a header, case-insensitively. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.#fields.find((f) => f.name.toLowerCase() === key)?.value;
  }

  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.#fields.filter((f) => f.name.toLowerCase() === key).map((f) => f.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replaces the first header of that name in place (keeping its position), drops the others, or appends. */
  set(name: string, value: string | number | bigint): this {
    const key = name.toLowerCase();
    const index = this.#fields.findIndex((f) => f.name.toLowerCase() === key);
    if (index < 0) return this.append(name, value);
    const kept = this.#fields[index]!;
    kept.value = String(value);
    for (let i = this.#fields.length - 1; i > index; i--) {
      if (this.#fields[i]!.name.toLowerCase() === key) this.#fields.splice(i, 1);
    }
    return this;
  }

  append(name: string, value: string | number | bigint, separator = ' '): this {
    this.#fields.push({ name, value: String(value), separator });
    return this;
  }

  delete(name: string): this {
    const key = name.toLowerCase();
    for (let i = this.#fields.length - 1; i >= 0; i--) {
      if (this.#fields[i]!.name.toLowerCase() === key) this.#fields.splice(i, 1);
    }
    return this;
  }

  get size(): number {
    return this.#fields.length;
  }

  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const f of this.#fields) yield [f.name, f.value];
  }

  clone(): RtspHeaders {
    const copy = new RtspHeaders();
    for (const f of this.#fields) copy.append(f.name, f.value, f.separator);
    return copy;
  }

  /** Header lines as they go on the wire, each ending in CRLF. */
  toString(): string {
    let out = '';
    for (const f of this.#fields) out += `${f.name}:${f.separator}${f.value}\r\n`;
    return out;
  }
}

export interface RtspRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  version: string;
  headers: RtspHeaders;
  body: Buffer;
}

export interface RtspResponse {
  readonly kind: 'response';
  version: string;
  status: number;
  reason: string;
  headers: RtspHeaders;
  body: Buffer;
  /**
   * The start line and header lines exactly as received (latin1, line ends included, not the blank
   * line): set by the reader only, for a field capture to keep what the parsed form smooths over.
   */
  receivedHead?: string;
}

export type RtspMessage = RtspRequest | RtspResponse;

/** One interleaved packet: `$`, channel, 16-bit length, payload (RTP or RTCP). */
export interface InterleavedFrame {
  readonly kind: 'frame';
  channel: number;
  /** A view into the bytes read from the socket; not a copy. */
  payload: Buffer;
}

const EMPTY = Buffer.alloc(0);

export const STATUS_REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  431: 'Request Header Fields Too Large',
  453: 'Not Enough Bandwidth',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'RTSP Version Not Supported',
};

export function makeRequest(
  method: string,
  uri: string,
  headers: RtspHeaders | Record<string, string | number> = {},
  body: Buffer = EMPTY,
): RtspRequest {
  return {
    kind: 'request',
    method,
    uri,
    version: RTSP_VERSION,
    headers: headers instanceof RtspHeaders ? headers : new RtspHeaders(headers),
    body,
  };
}

export function makeResponse(
  status: number,
  headers: RtspHeaders | Record<string, string | number> = {},
  body: Buffer = EMPTY,
  reason = STATUS_REASONS[status] ?? 'Unknown',
): RtspResponse {
  return {
    kind: 'response',
    version: RTSP_VERSION,
    status,
    reason,
    headers: headers instanceof RtspHeaders ? headers : new RtspHeaders(headers),
    body,
  };
}

/**
 * The message as bytes. Content-Length is not invented here: whoever builds a message with a body
 * sets it (see `withBody`), so that a parsed message serializes back exactly as it arrived.
 */
export function serializeMessage(message: RtspMessage): Buffer {
  const startLine = message.kind === 'request'
    ? `${message.method} ${message.uri} ${message.version}\r\n`
    : `${message.version} ${message.status} ${message.reason}\r\n`;
  const head = Buffer.from(`${startLine}${message.headers.toString()}\r\n`, 'latin1');
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}

/** Sets the body and its Content-Length (and Content-Type when given). */
export function withBody<M extends RtspMessage>(message: M, body: Buffer | string, contentType?: string): M {
  message.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (contentType) message.headers.set('Content-Type', contentType);
  message.headers.set('Content-Length', message.body.length);
  return message;
}

/** The 4-byte header of an interleaved frame; write it followed by the payload (no payload copy). */
export function frameHeader(channel: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(4);
  header[0] = 0x24;
  header[1] = channel;
  header.writeUInt16BE(length, 2);
  return header;
}

export function serializeFrame(frame: InterleavedFrame): Buffer {
  return Buffer.concat([frameHeader(frame.channel, frame.payload.length), frame.payload]);
}

export function cseqOf(message: RtspMessage): number | undefined {
  const raw = message.headers.get('CSeq');
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}

/** The session id of a `Session: id;timeout=60` header, without its parameters. */
export function sessionIdOf(message: RtspMessage): string | undefined {
  return message.headers.get('Session')?.split(';')[0]?.trim() || undefined;
}

/** The `timeout=` of a Session header in seconds (RFC 2326 §12.37: 60 when absent; FFmpeg reads 0 as absent too). */
export function sessionTimeoutOf(message: RtspMessage): number {
  const match = /;\s*timeout\s*=\s*(\d+)/i.exec(message.headers.get('Session') ?? '');
  const seconds = match ? Number(match[1]) : 0;
  return seconds > 0 ? seconds : 60;
}
