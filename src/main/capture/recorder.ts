// Records a field capture (format.ts) from the stream engine's own session: hand `onWire` and
// `onFrame` to `UpstreamSession.open` (doctor's PLAY step does), then write the capture once the
// session is over. Messages are kept whole (heads as received); frames only as sizes, channels and
// RTP header facts, for the first `mediaWindowMs` of media on each connection.
//
//   const recorder = new CaptureRecorder(subject, 5_000);
//   await UpstreamSession.open(options, { onWire: recorder.onWire, onFrame: (t, rtcp, p) => recorder.onFrame(t, rtcp, p) });
//   await writeCapture(file, recorder.capture(about, outcome), secrets);

import type { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import { nalTypeOf } from '../rtsp/keyframe.js';
import { serializeMessage, type RtspMessage } from '../rtsp/message.js';
import { parseRtpHeader } from '../rtsp/rtp.js';
import { scrub } from '../doctor/report.js';
import { identityOf } from '../stream/identity.js';
import type { UpstreamTrack, WireEvent } from '../stream/upstream.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type Capture, type CaptureConnection, type CapturedFrame, type CapturedTls } from './format.js';

/** Which base station and camera a capture is of. */
export type CaptureSubject = Pick<Capture, 'baseStation' | 'camera'>;

/** Frames beyond this many on one connection are only counted, whatever the window: a bound on the file. */
const MAX_FRAMES_PER_CONNECTION = 20_000;

export class CaptureRecorder {
  readonly #startedAt = new Date().toISOString();
  readonly #origin = performance.now();
  readonly #connections: { record: CaptureConnection; origin: number; firstFrame?: number }[] = [];

  constructor(
    private readonly subject: CaptureSubject,
    private readonly mediaWindowMs: number,
  ) {}

  readonly onWire = (event: WireEvent): void => {
    const now = performance.now();
    if (event.kind === 'connected') {
      this.#connections.push({
        origin: now,
        record: { url: event.url, at: elapsed(this.#origin, now), tls: tlsFacts(event.socket, event.certificate), messages: [], frames: [], framesNotRecorded: 0 },
      });
      return;
    }
    const connection = this.#connections.at(-1);
    if (!connection) return;
    const { head, body } = wireForm(event.message, event.kind === 'received');
    connection.record.messages.push({
      at: elapsed(connection.origin, now),
      from: event.kind === 'sent' ? 'client' : 'base-station',
      head,
      ...(body ? { body } : {}),
    });
  };

  /** A `$` frame of a track (an RTCP one on the channel after the track's). */
  onFrame(track: UpstreamTrack, rtcp: boolean, packet: Buffer): void {
    const connection = this.#connections.at(-1);
    if (!connection) return;
    const now = performance.now();
    connection.firstFrame ??= now;
    const { record } = connection;
    if (now - connection.firstFrame > this.mediaWindowMs || record.frames.length >= MAX_FRAMES_PER_CONNECTION) {
      record.framesNotRecorded++;
      return;
    }
    const frame: CapturedFrame = { at: elapsed(connection.origin, now), channel: track.rtpChannel + (rtcp ? 1 : 0), size: packet.length };
    const header = rtcp ? undefined : parseRtpHeader(packet);
    if (header) {
      const nalType = track.codec ? nalTypeOf(track.codec, packet.subarray(header.payloadOffset, header.payloadEnd)) : undefined;
      frame.rtp = {
        payloadType: header.payloadType,
        sequence: header.sequence,
        timestamp: header.timestamp,
        marker: header.marker,
        ssrc: header.ssrc,
        ...(nalType === undefined ? {} : { nalType }),
      };
    }
    record.frames.push(frame);
  }

  /** The capture so far; `outcome` says how the session ended. */
  capture(about: Record<string, string>, outcome?: string): Capture {
    return {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      startedAt: this.#startedAt,
      about,
      ...this.subject,
      mediaWindowMs: this.mediaWindowMs,
      connections: this.#connections.map((c) => c.record),
      ...(outcome === undefined ? {} : { outcome }),
    };
  }

  /** Whether any connection got as far as TLS: a capture without one says nothing a replay could use. */
  get connected(): boolean {
    return this.#connections.length > 0;
  }
}

/**
 * Writes the capture readable but compact (one frame per line), after the same redaction as
 * doctor's report: every secret this installation holds is replaced, wherever it would appear.
 */
export async function writeCapture(file: string, capture: Capture, secrets: readonly string[]): Promise<void> {
  const frames = capture.connections.map((c) => c.frames);
  const placeholder = (i: number): string => `"frames of connection ${i}"`;
  const skeleton = { ...capture, connections: capture.connections.map((c, i) => ({ ...c, frames: `frames of connection ${i}` })) };
  let text = JSON.stringify(skeleton, null, 2);
  frames.forEach((list, i) => {
    const lines = list.map((frame) => `        ${JSON.stringify(frame)}`).join(',\n');
    text = text.replace(placeholder(i), list.length === 0 ? '[]' : `[\n${lines}\n      ]`);
  });
  await writeFile(file, `${scrub(text, secrets)}\n`, { mode: 0o600 });
}

function elapsed(from: number, now: number): number {
  return Math.max(0, Math.round((now - from) * 10) / 10);
}

/** A message's head as it went over the wire (a base station's as received) and its body as text. */
function wireForm(message: RtspMessage, received: boolean): { head: string; body: string } {
  const body = message.body.toString('latin1');
  const head = received && message.kind === 'response' && message.receivedHead !== undefined
    ? message.receivedHead
    : serializeMessage({ ...message, body: Buffer.alloc(0) }).toString('latin1').replace(/\r\n$/, '');
  return { head, body };
}

/** The handshake's public facts: protocol, cipher and the certificate the base station presented (never a key). */
function tlsFacts(socket: TLSSocket, certificate: X509Certificate | undefined): CapturedTls | undefined {
  const protocol = socket.getProtocol();
  const cipher = socket.getCipher();
  if (!protocol || !cipher) return undefined;
  const identity = certificate && identityOf(certificate);
  const details = certificate?.publicKey.asymmetricKeyDetails;
  return {
    protocol,
    cipher: cipher.name,
    ...(cipher.standardName ? { cipherStandardName: cipher.standardName } : {}),
    ...(certificate && identity
      ? {
          certificate: {
            subject: certificate.subject,
            issuer: certificate.issuer,
            validFrom: certificate.validFrom,
            validTo: certificate.validTo,
            serialNumber: certificate.serialNumber,
            fingerprint256: certificate.fingerprint256,
            keySha256: identity.key,
            ...(certificate.publicKey.asymmetricKeyType ? { keyType: certificate.publicKey.asymmetricKeyType } : {}),
            ...(details?.modulusLength ? { keyBits: details.modulusLength } : {}),
          },
        }
      : {}),
  };
}
