// A field capture: what one base station said and when, as `arlo-rtsp doctor --capture FILE`
// writes it and the simulator replays it (`npm run sim -- --replay FILE`). docs/CAPTURES.md
// describes every field for the people who read one. Version 1; a later version adds a number and
// a reader for it here, never a silent reinterpretation of an old file.
//
// What it never holds: media payloads (only each `$` frame's size, channel and RTP header facts),
// keys, tokens, cookies, passwords, account e-mail or user id (report.ts's redaction runs over the
// whole file before it is written). Device ids stay, as in doctor's report: they name the hardware,
// not the account, and the replay serves the same stream paths.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const CAPTURE_FORMAT = 'arlo-rtsp-capture';
export const CAPTURE_VERSION = 1;

const milliseconds = z.number().nonnegative();

const certificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  serialNumber: z.string(),
  /** SHA-256 of the certificate (DER), colon-separated hex. */
  fingerprint256: z.string(),
  /** SHA-256 of its SubjectPublicKeyInfo (DER): what the product pins. */
  keySha256: z.string(),
  /** `rsa`, `ec`, ... and the key's size in bits. */
  keyType: z.string().optional(),
  keyBits: z.number().int().positive().optional(),
});

const tlsSchema = z.object({
  /** `TLSv1.2`, ... */
  protocol: z.string(),
  /** OpenSSL's name of the cipher suite, and its IANA name. */
  cipher: z.string(),
  cipherStandardName: z.string().optional(),
  certificate: certificateSchema.optional(),
});

/** One RTSP message on the connection: who sent it, when (ms after TLS was up), its head as on the wire, its body as text. */
const messageSchema = z.object({
  at: milliseconds,
  from: z.enum(['client', 'base-station']),
  /** Start line and header lines as they went over the wire (line ends kept), without the blank line. */
  head: z.string().min(1),
  /** The body (the SDP, say), latin1; absent when empty. */
  body: z.string().optional(),
});

/** One interleaved `$` frame: never its bytes, only what its 4-byte header and RTP header say. */
const frameSchema = z.object({
  at: milliseconds,
  channel: z.number().int().min(0).max(255),
  /** Bytes after the 4-byte `$` header. */
  size: z.number().int().nonnegative(),
  /** For RTP (even channel of a track): payload type, sequence, timestamp, marker, SSRC. */
  rtp: z.object({
    payloadType: z.number().int().min(0).max(127),
    sequence: z.number().int().min(0).max(0xffff),
    timestamp: z.number().int().min(0).max(0xffffffff),
    marker: z.boolean(),
    ssrc: z.number().int().min(0).max(0xffffffff),
    /** The NAL unit type of a video packet (of the fragmented unit, for FU-A/FU packets). */
    nalType: z.number().int().min(0).max(63).optional(),
  }).optional(),
});

const connectionSchema = z.object({
  /**
   * The request URL as sent: its host is the form used to name the base station (the IP with :554,
   * an mDNS host name, `<modelId>.local`), its path the camera's stream.
   */
  url: z.string().min(1),
  /** Ms after the capture began that TLS was up. */
  at: milliseconds,
  tls: tlsSchema.optional(),
  messages: z.array(messageSchema),
  frames: z.array(frameSchema),
  /** Frames after the capture's media window (only counted). */
  framesNotRecorded: z.number().int().nonnegative(),
});

export const captureSchema = z.object({
  format: z.literal(CAPTURE_FORMAT),
  version: z.literal(CAPTURE_VERSION),
  /** When the capture began (ISO 8601). */
  startedAt: z.string(),
  /** The app that wrote it, and where it ran. */
  about: z.record(z.string(), z.string()),
  baseStation: z.object({ deviceId: z.string().min(1), model: z.string().optional() }),
  camera: z.object({
    deviceId: z.string().min(1),
    model: z.string().optional(),
    codec: z.enum(['avc', 'hevc']),
    ownBaseStation: z.boolean(),
  }),
  /** How long media was recorded after PLAY's answer (ms). */
  mediaWindowMs: milliseconds,
  /** In order; a redirect makes a second one. */
  connections: z.array(connectionSchema).min(1),
  /** How the engine's session ended, as doctor's PLAY step put it. */
  outcome: z.string().optional(),
});

export type Capture = z.infer<typeof captureSchema>;
export type CaptureConnection = z.infer<typeof connectionSchema>;
export type CapturedMessage = z.infer<typeof messageSchema>;
export type CapturedFrame = z.infer<typeof frameSchema>;
export type CapturedTls = z.infer<typeof tlsSchema>;

/** A capture's text read and checked; a file that is not one gets an error saying what is wrong with it. */
export function parseCapture(text: string, name = 'the capture'): Capture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${name} is not a capture file: it is not JSON. A capture is the .json file "arlo-rtsp doctor --capture FILE" writes.`);
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.format !== CAPTURE_FORMAT) {
    throw new Error(`${name} is not a capture file (it has no "format": "${CAPTURE_FORMAT}"). A capture is the .json file "arlo-rtsp doctor --capture FILE" writes.`);
  }
  if (head.version !== CAPTURE_VERSION) {
    throw new Error(`${name} is a capture of version ${String(head.version)}; this version reads version ${CAPTURE_VERSION} only. Update this app, or make the capture again with this one.`);
  }
  const parsed = captureSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the top level';
    throw new Error(`${name} is a damaged capture: ${where} is not what a capture holds there. Make the capture again with "arlo-rtsp doctor --capture FILE".`);
  }
  return parsed.data;
}

export async function readCapture(file: string): Promise<Capture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read the capture ${file}: ${code === 'ENOENT' ? 'no such file' : code ?? String(error)}.`);
  }
  return parseCapture(text, file);
}
