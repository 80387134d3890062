// What the simulator replays of a field capture (src/main/capture/format.ts): per recorded
// connection, the client's requests paired with the base station's answers (head as received,
// body, how long it took), and the media's timing. ReplayConnection (replay-connection.ts) plays
// one such script to a client; SimBaseStation({ replay }) serves them, strict as always (mutual TLS
// with the CA, the Nonce rule).
//
// What a replay changes, because it must: the recorded host:port in answers and the SDP becomes the
// replay's own; CSeq follows the client's request (keeping a recorded offset: a base station that
// echoes CSeq wrongly still does); Nonce values are the recorded ones in order, then counted on with
// the recorded steps; the SDP's parameter sets and audio config become those of the simulator's own
// clips, since the payload it sends is theirs.

import type { Capture, CaptureConnection, CapturedFrame } from '../main/capture/format.js';
import type { SimCamera } from './basestation.js';
import type { SimMedia } from './source.js';

export interface ReplayExchange {
  method: string;
  /** The request's path (no scheme, host or port): a request for another path is refused 404, as it would be. */
  path: string;
  cseq: number | undefined;
  /** The request's Session id, if it named one. */
  session: string | undefined;
  answer?: ReplayAnswer;
}

export interface ReplayAnswer {
  head: string;
  body: string;
  /** Ms from the request to the answer. */
  delayMs: number;
  status: number;
  /** Answer's CSeq minus the request's, when both are numbers. */
  cseqOffset: number | undefined;
}

export interface ReplayScript {
  /** `rtsp://host:port` the recorded requests named. */
  origin: string;
  exchanges: ReplayExchange[];
  /** The recorded frames, `at` counted from PLAY's answer (negative: before it). */
  frames: CapturedFrame[];
}

/** The cameras a replaying base station serves: the captured one. */
export function camerasOfCapture(capture: Capture): SimCamera[] {
  const { deviceId, codec, ownBaseStation } = capture.camera;
  return [{ deviceId, codecs: [codec], ...(ownBaseStation ? { ownBaseStation } : {}) }];
}

/** The recorded connections in the order they came; the n-th client connection to speak plays script n (cycling). */
export class ReplayPlan {
  readonly scripts: readonly ReplayScript[];
  /** The Nonce values the base station issued, in order over all connections, and the steps between them. */
  readonly nonces: readonly bigint[];
  /** The session timeout the recorded base station announced (`Session: id;timeout=N`): it ends sessions not kept alive as it would. */
  readonly sessionTimeoutSeconds: number | undefined;
  #connections = 0;

  constructor(readonly capture: Capture) {
    this.scripts = capture.connections.map(scriptOf);
    const announced = capture.connections.flatMap((c) => c.messages).filter((m) => m.from === 'base-station')
      .map((m) => /;\s*timeout=(\d+)/.exec(headerValue(m.head, 'Session') ?? '')?.[1]).find((value) => value !== undefined);
    this.sessionTimeoutSeconds = announced === undefined ? undefined : Number(announced);
    this.nonces = capture.connections.flatMap((c) => c.messages.filter((m) => m.from === 'base-station').flatMap((m) => {
      const value = headerValue(m.head, 'Nonce');
      return value !== undefined && /^-?\d+$/.test(value) ? [BigInt(value)] : [];
    }));
  }

  /** The script for the next connection that sends a request. */
  nextScript(): ReplayScript {
    return this.scripts[this.#connections++ % this.scripts.length]!;
  }

  /** Whether the capture's TLS was the legacy kind (RSA key exchange, CBC, or a key under 2048 bits). */
  get legacyTls(): boolean {
    const tls = this.capture.connections[0]?.tls;
    return Boolean(tls && (/^AES(128|256)-SHA$/.test(tls.cipher) || (tls.certificate?.keyBits ?? 2048) < 2048));
  }
}

/**
 * Nonce values to issue: the recorded ones in order, then on from the last by the last recorded
 * step (at least 1), so a client that plays longer than the capture still gets growing values.
 */
export class ReplayNonces {
  #index = 0;
  #last: bigint | undefined;

  constructor(private readonly recorded: readonly bigint[]) {}

  next(): bigint {
    const value = this.recorded[this.#index] ?? this.#extrapolated();
    this.#index++;
    this.#last = value;
    return value;
  }

  #extrapolated(): bigint {
    const n = this.recorded.length;
    const step = n >= 2 ? this.recorded[n - 1]! - this.recorded[n - 2]! : 1n;
    return (this.#last ?? 0n) + (step > 0n ? step : 1n);
  }
}

function scriptOf(connection: CaptureConnection): ReplayScript {
  const origin = originOf(connection.url) ?? connection.url;
  const exchanges: ReplayExchange[] = [];
  const unanswered: (ReplayExchange & { at: number })[] = [];
  let playAnsweredAt: number | undefined;
  for (const message of connection.messages) {
    const isResponse = message.head.startsWith('RTSP/');
    if (message.from === 'client' && !isResponse) {
      const [method = '', uri = ''] = message.head.split(' ');
      const exchange = { method, path: pathOf(uri), cseq: numberOf(headerValue(message.head, 'CSeq')), session: headerValue(message.head, 'Session')?.split(';')[0]?.trim(), at: message.at };
      exchanges.push(exchange);
      unanswered.push(exchange);
    } else if (message.from === 'base-station' && isResponse) {
      // An answer is its request's by CSeq when that matches one still open, else the oldest open one's.
      const cseq = numberOf(headerValue(message.head, 'CSeq'));
      const index = Math.max(0, unanswered.findIndex((e) => e.cseq !== undefined && e.cseq === cseq));
      const [request] = unanswered.splice(index, 1);
      if (!request) continue;
      const status = Number(/^RTSP\/\S*[ \t]+(\d{3})/.exec(message.head)?.[1] ?? 0);
      request.answer = {
        head: message.head,
        body: message.body ?? '',
        delayMs: Math.max(0, message.at - request.at),
        status,
        cseqOffset: cseq !== undefined && request.cseq !== undefined ? cseq - request.cseq : undefined,
      };
      if (request.method === 'PLAY' && status >= 200 && status < 300) playAnsweredAt ??= message.at;
    }
    // Requests from the base station, and the client's answers to them, are not replayed.
  }
  const mediaOrigin = playAnsweredAt ?? 0;
  return {
    origin,
    exchanges,
    frames: connection.frames.map((frame) => ({ ...frame, at: frame.at - mediaOrigin })),
  };
}

/** A recorded answer's head made this replay's: CSeq for this request, a fresh Nonce, this origin, the body's length. */
export function replayHead(answer: ReplayAnswer, options: { cseq: number | undefined; nonce: () => bigint; origin: string; recordedOrigin: string; bodyLength: number }): string {
  let nonceDone = false;
  return answer.head.split('\n').map((line, index) => {
    if (index === 0) return line;
    const field = /^([^:]*?)(\s*:\s*)(.*?)(\s*\r?)$/.exec(line);
    if (!field) return line;
    const [, name = '', separator = '', value = '', end = ''] = field;
    const key = name.trim().toLowerCase();
    if (key === 'cseq' && options.cseq !== undefined && answer.cseqOffset !== undefined) return `${name}${separator}${options.cseq + answer.cseqOffset}${end}`;
    if (key === 'nonce' && !nonceDone) {
      nonceDone = true;
      return `${name}${separator}${options.nonce()}${end}`;
    }
    if (key === 'content-length') return `${name}${separator}${value.replace(/\d+/, String(options.bodyLength))}${end}`;
    return line.split(options.recordedOrigin).join(options.origin);
  }).join('\n');
}

/**
 * The recorded SDP with this replay's origin, and the simulator's own parameter sets (video) and
 * AAC config (audio) where the recording had its own: the payloads are the simulator's.
 */
export function replaySdp(sdp: string, media: SimMedia, recordedOrigin: string, origin: string): string {
  const { vps, sps, pps } = media.parameterSets;
  const b64 = (nal: Buffer) => nal.toString('base64');
  const sections = sdp.split(recordedOrigin).join(origin).split(/(?=^m=)/m);
  return sections.map((section) => {
    if (section.startsWith('m=video')) {
      return section
        .replace(/sprop-parameter-sets=[^;\s]*/, `sprop-parameter-sets=${b64(sps)},${b64(pps)}`)
        .replace(/profile-level-id=[0-9A-Fa-f]{6}/, `profile-level-id=${sps.subarray(1, 4).toString('hex')}`)
        .replace(/sprop-vps=[^;\s]*/, vps ? `sprop-vps=${b64(vps)}` : '$&')
        .replace(/sprop-sps=[^;\s]*/, `sprop-sps=${b64(sps)}`)
        .replace(/sprop-pps=[^;\s]*/, `sprop-pps=${b64(pps)}`);
    }
    if (section.startsWith('m=audio') && media.audio && /MPEG4-GENERIC/i.test(section)) {
      const { sampleRate, channels, config } = media.audio;
      return section
        .replace(/(MPEG4-GENERIC\/)\d+(?:\/\d+)?/i, `$1${sampleRate}/${channels}`)
        .replace(/config=[0-9A-Fa-f]+/, `config=${config}`);
    }
    return section;
  }).join('');
}

/** The video and audio payload types the recorded SDP gives its tracks. */
export function payloadTypesOf(sdp: string): { video?: number; audio?: number } {
  const video = /^m=video \S+ \S+ (\d+)/m.exec(sdp)?.[1];
  const audio = /^m=audio \S+ \S+ (\d+)/m.exec(sdp)?.[1];
  return { ...(video ? { video: Number(video) } : {}), ...(audio ? { audio: Number(audio) } : {}) };
}

/** A header's first value in a head's text, by name, case-insensitively (blanks around the colon allowed). */
export function headerValue(head: string, name: string): string | undefined {
  const key = name.toLowerCase();
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === key) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** `rtsp://host:port` of a URL (`URL.origin` is "null" for rtsp:); undefined for a URI that is none (`*`). */
export function originOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

/** A request URI's path, without a trailing `/`: what names the stream or track, whatever host form was used. */
export function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname.replace(/\/$/, '');
  } catch {
    return uri;
  }
}

function numberOf(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
